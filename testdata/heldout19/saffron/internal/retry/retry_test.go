package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDoRetriesThenJoins(t *testing.T) {
	sleep = func(context.Context, time.Duration) error { return nil }
	defer func() { sleep = defaultSleep }()
	calls := 0
	boom := errors.New("boom")
	err := Do(context.Background(), 3, func(context.Context) error {
		calls++
		return boom
	})
	if calls != 3 || !errors.Is(err, boom) {
		t.Fatalf("calls=%d err=%v", calls, err)
	}
}

func TestPermanentStops(t *testing.T) {
	calls := 0
	bad := errors.New("bad input")
	err := Do(context.Background(), 5, func(context.Context) error {
		calls++
		return Permanent(bad)
	})
	if calls != 1 || !errors.Is(err, bad) {
		t.Fatalf("calls=%d err=%v", calls, err)
	}
}

var defaultSleep = sleep
