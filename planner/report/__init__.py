"""The post-event report (会后统计): its figures counted from the event log
(:mod:`.statistics`), written as HTML, .xlsx and .docx (:mod:`.files`), with charts
(:mod:`.charts`)."""
