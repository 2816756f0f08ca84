package email

import (
	"context"
	"fmt"
	"time"
)

// Stats is what the outbox holds now, for the operators' metrics.
type Stats struct {
	Queued   int           // emails not yet sent
	Retrying int           // of those, emails tried at least once
	Oldest   time.Duration // age of the oldest email not yet sent; 0 when none is waiting
}

// Stats counts the emails not yet sent. It reads only queued rows (the partial index
// email_outbox_due), so it stays cheap however many emails have been sent.
func (o *Outbox) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	var oldest float64
	err := o.DB.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE attempts > 0),
			coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
		FROM email_outbox WHERE status = 'queued'`).Scan(&s.Queued, &s.Retrying, &oldest)
	if err != nil {
		return Stats{}, fmt.Errorf("count queued emails: %w", err)
	}
	s.Oldest = time.Duration(max(oldest, 0) * float64(time.Second))
	return s, nil
}
