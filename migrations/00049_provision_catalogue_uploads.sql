-- +goose Up
-- A school uploads its own provision catalogue: the file as sent is kept with the version it
-- made (so staff can download exactly what is in use), and who loaded it. Versions loaded by the
-- seed or before uploads have neither.
ALTER TABLE provision_catalogues ADD COLUMN source bytea;
ALTER TABLE provision_catalogues ADD COLUMN loaded_by uuid REFERENCES users(id);

-- +goose Down
ALTER TABLE provision_catalogues DROP COLUMN loaded_by;
ALTER TABLE provision_catalogues DROP COLUMN source;
