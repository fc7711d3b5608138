"""Delta tables: schemas and the backends that read, write and maintain them."""
