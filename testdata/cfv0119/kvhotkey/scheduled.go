package kvhotkey

import (
	"context"
	"database/sql"
	"time"
)

// An event a scheduler sends once a night.
type scheduledEvent struct {
	ID   string
	Time time.Time
}

type sweeper struct {
	db *sql.DB
	st *stats
}

// publishVisits writes the visits made since the last run, one key each.
func (s *sweeper) publishVisits(ctx context.Context, since time.Time) error {
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM visits WHERE at > $1", since)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if err := s.st.put(ctx, "visit:"+id, "published"); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Quiet: the run's status, written once a run beside the records of the
// period the event names.
func (s *sweeper) Handle(ctx context.Context, ev scheduledEvent) error {
	err := s.publishVisits(ctx, ev.Time)
	if perr := s.st.put(ctx, "sweeper:last-run", ev.ID); perr != nil {
		return perr
	}
	return err
}
