package kvrace

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

type jobLease struct {
	Holder     string
	Reason     string
	AcquiredAt time.Time
	ExpiresAt  time.Time
	Notes      []string
}

var errNotHolder = errors.New("not the holder")

func (f *flags) currentLease(ctx context.Context, key string) (jobLease, error) {
	var l jobLease
	raw, err := f.read(ctx, key)
	if err != nil {
		return l, err
	}
	return l, json.Unmarshal(raw, &l)
}

// Quiet: only the holder passes the check, and the record it writes names
// the same holder and copies the rest unchanged.
func (f *flags) extendLease(ctx context.Context, job, holder string, until time.Time) error {
	cur, err := f.currentLease(ctx, "lease:"+job)
	if err != nil {
		return err
	}
	if cur.Holder != holder {
		return errNotHolder
	}
	next := jobLease{Holder: holder, Reason: cur.Reason, AcquiredAt: cur.AcquiredAt, ExpiresAt: until}
	b, _ := json.Marshal(next)
	return f.write(ctx, "lease:"+job, b)
}

// The holder adds to what it read: two of its requests lose a note.
func (f *flags) noteLease(ctx context.Context, job, holder, note string) error {
	cur, err := f.currentLease(ctx, "lease:"+job)
	if err != nil {
		return err
	}
	if cur.Holder != holder {
		return errNotHolder
	}
	next := jobLease{Holder: holder, Reason: cur.Reason, AcquiredAt: cur.AcquiredAt, ExpiresAt: cur.ExpiresAt, Notes: append(cur.Notes, note)}
	b, _ := json.Marshal(next)
	return f.write(ctx, "lease:"+job, b) // want `read-modify-write on one KV key`
}

// No owner check: anyone's extension overwrites anyone's.
func (f *flags) pushLease(ctx context.Context, job string, until time.Time) error {
	cur, err := f.currentLease(ctx, "lease:"+job)
	if err != nil {
		return err
	}
	next := jobLease{Holder: cur.Holder, Reason: cur.Reason, AcquiredAt: cur.AcquiredAt, ExpiresAt: until}
	b, _ := json.Marshal(next)
	return f.write(ctx, "lease:"+job, b) // want `read-modify-write on one KV key`
}
