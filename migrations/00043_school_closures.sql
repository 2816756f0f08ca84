-- +goose Up
-- A school's term dates, kept as the days it is closed to pupils: holidays, bank holidays and
-- training days, first and last day included. The delivery rule does not judge a week wholly
-- closed and scales a short week's promise by its open days. The SENDCo or head sets them (the
-- API replaces a school's list as a whole).
CREATE TABLE school_closures (
    school_id  uuid NOT NULL REFERENCES schools(id),
    first_day  date NOT NULL,
    last_day   date NOT NULL,
    name       text NOT NULL,
    PRIMARY KEY (school_id, first_day),
    CHECK (last_day >= first_day)
);

-- +goose Down
DROP TABLE school_closures;
