"""The monthly review's reports (issue 12, "Reports"):

* ``client_report``: what a client reads about one month of their stores; ``html`` lays it out as a printable page,
  ``pdf`` makes that page a PDF (WeasyPrint), both in the client's report language;
* ``xlsx``: the agency's export of a cycle, one row a store review (``cycle_xlsx``), in flat memory;
* ``charts``: the report's metric charts with their targets, drawn as inline SVG.

The API serves them (``reviews.api.reports``).
"""
