package metering_test

import (
	"context"
	"testing"
	"time"

	"example.com/flagship/internal/metering"
	"example.com/flagship/internal/storage/memkv"
)

func TestAggregatorDrain(t *testing.T) {
	a := metering.NewAggregator()
	a.Observe("x")
	a.Observe("x")
	d, tot := a.Drain()
	a.Observe("x")
	d2, tot2 := a.Drain()
	if d["x"] != 2 || tot["x"] != 2 || d2["x"] != 1 || tot2["x"] != 3 {
		t.Fatalf("d=%v tot=%v d2=%v tot2=%v", d, tot, d2, tot2)
	}
}

func TestRecord(t *testing.T) {
	m := metering.New(memkv.New(), 24*time.Hour)
	if err := m.Record(context.Background(), "x", 5); err != nil {
		t.Fatal(err)
	}
}
