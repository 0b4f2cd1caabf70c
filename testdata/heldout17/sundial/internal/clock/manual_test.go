package clock

import (
	"testing"
	"time"
)

type manual struct{ now time.Time }

func (m *manual) Now() time.Time { return m.now }

func TestMonthBounds(t *testing.T) {
	var c Clock = &manual{now: time.Date(2026, 2, 17, 13, 4, 5, 0, time.UTC)}
	if got := StartOfMonth(c.Now()); !got.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("StartOfMonth = %v", got)
	}
	if got := EndOfMonth(c.Now()); !got.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("EndOfMonth = %v", got)
	}
}
