"""Delta tables: layout, schemas and the backends that read and write them."""
