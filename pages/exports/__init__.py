"""Documents a supervisor hands on: a body's 年报审查意见 and a 通报 of the current filters, as .xlsx and .docx."""
