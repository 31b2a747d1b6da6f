enum CollectorPlaceholder {}
