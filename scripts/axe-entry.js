// axe-core (npm) for tests/browser/test_accessibility.py: bundled into static/build/axe.js so the tests load
// it from the app's own origin, under the app's Content-Security-Policy (script-src 'self').
import axe from 'axe-core';

window.axe = axe;
