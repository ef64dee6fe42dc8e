"""Key-object list pages (重点监管对象名录库)."""
