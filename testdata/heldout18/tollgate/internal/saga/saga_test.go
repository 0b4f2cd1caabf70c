package saga

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestCompensatesInReverse(t *testing.T) {
	var log []string
	step := func(name string, fail bool) Step[[]string] {
		return Step[[]string]{
			Name: name,
			Do: func(ctx context.Context, s *[]string) error {
				if fail {
					return errors.New("boom")
				}
				*s = append(*s, name)
				return nil
			},
			Compensate: func(ctx context.Context, s *[]string) error {
				log = append(log, "undo "+name)
				return nil
			},
		}
	}
	sg := Saga[[]string]{Name: "t", Steps: []Step[[]string]{step("a", false), step("b", false), step("c", true)}}
	var state []string
	err := sg.Run(context.Background(), &state)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "c" {
		t.Fatalf("want StepError at c, got %v", err)
	}
	if want := []string{"undo b", "undo a"}; !slices.Equal(log, want) {
		t.Fatalf("compensations %v, want %v", log, want)
	}
}
