package dunning

import (
	"testing"
	"time"
)

func TestStageFor(t *testing.T) {
	p := Policy{Stages: defaultStages}
	for _, tc := range []struct {
		overdue time.Duration
		want    int
	}{
		{-time.Hour, -1},
		{0, -1},
		{25 * time.Hour, 0},
		{8 * 24 * time.Hour, 1},
		{60 * 24 * time.Hour, 2},
	} {
		if got := p.stageFor(tc.overdue); got != tc.want {
			t.Errorf("stageFor(%s) = %d, want %d", tc.overdue, got, tc.want)
		}
	}
}
