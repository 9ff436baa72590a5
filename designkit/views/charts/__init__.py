"""The article's charts, one module a chart: built once as a matplotlib ``Figure``, updated in place.

``style`` holds the house style and the byte-stable ``svg``/``png`` output every chart is saved with.
Importing a chart pulls in matplotlib (never pyplot) and leaves the process's backend alone.
"""
