package withdrawals

import (
	"errors"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	l := defaultLimits[TierVerified]
	cases := []struct {
		name   string
		tally  Tally
		amount int64
		want   error
	}{
		{"first of the day", Tally{}, 5_000, nil},
		{"below minimum", Tally{}, 100, ErrBelowMinimum},
		{"count reached", Tally{Count: 3, TotalCents: 9_000}, 5_000, ErrDailyCount},
		{"amount reached", Tally{Count: 1, TotalCents: 149_000}, 5_000, ErrDailyAmount},
	}
	for _, tc := range cases {
		next, err := Check(l, tc.tally, tc.amount, now)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if err == nil && (next.Count != tc.tally.Count+1 || next.TotalCents != tc.tally.TotalCents+tc.amount) {
			t.Errorf("%s: next = %+v", tc.name, next)
		}
	}
}
