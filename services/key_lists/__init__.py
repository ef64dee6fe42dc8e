"""Key-object lists (重点监管对象名录库): maintained by a department, drawn from by campaigns."""
