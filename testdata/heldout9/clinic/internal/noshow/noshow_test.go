package noshow

import (
	"context"
	"testing"

	"example.com/clinic/internal/kvstore/memkv"
)

func TestRecordAndDeposit(t *testing.T) {
	ctx := context.Background()
	tr := NewTracker(memkv.New())
	for want := 1; want <= 3; want++ {
		got, err := tr.Record(ctx, "p1")
		if err != nil || got != want {
			t.Fatalf("Record = %d, %v; want %d", got, err, want)
		}
	}
	if !tr.DepositRequired(ctx, "p1", 0) {
		t.Fatal("deposit should be required after three no-shows")
	}
	if tr.DepositRequired(ctx, "p1", 1) {
		t.Fatal("one forgiven no-show should lift the requirement")
	}
	if n, err := tr.Count(ctx, "p2"); err != nil || n != 0 {
		t.Fatalf("Count(p2) = %d, %v", n, err)
	}
}
