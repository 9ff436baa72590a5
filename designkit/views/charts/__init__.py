"""The article's charts, one module a chart: built once as a matplotlib ``Figure``, updated in place.

``registry`` lists every chart once (what the article, the notebooks, the moving handout and the
live views draw); ``style`` holds the house style and the byte-stable ``svg``/``png`` output.
Importing a chart pulls in matplotlib (never pyplot) and leaves the process's backend alone.
"""
