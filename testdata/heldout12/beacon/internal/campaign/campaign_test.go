package campaign

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/beacon/internal/kvstore/memkv"
	"example.com/beacon/internal/retry"
)

func TestCampaignFlow(t *testing.T) {
	ctx := context.Background()
	s := &Store{KV: memkv.New(), Retry: retry.Policy{Attempts: 1}}
	c, err := s.Create(ctx, Campaign{TenantID: "t1", Name: "launch", Topics: []string{"news"}, EndsAt: time.Now().Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "t1", c.ID, Pause{}); !errors.Is(err, ErrTransition) {
		t.Fatalf("pausing a draft: err = %v", err)
	}
	c, err = s.Apply(ctx, "t1", c.ID, Schedule{At: time.Now().Add(-time.Minute)})
	if err != nil || c.Status != Scheduled {
		t.Fatalf("Schedule = %v, %v", c.Status, err)
	}
	due, err := s.Due(ctx, "t1", time.Now())
	if err != nil || len(due) != 1 || due[0] != c.ID {
		t.Fatalf("Due = %v, %v", due, err)
	}
	loaded, err := s.LoadMany(ctx, "t1", due)
	if err != nil || len(loaded) != 1 || loaded[0].Name != "launch" {
		t.Fatalf("LoadMany = %+v, %v", loaded, err)
	}
	if _, err := s.Apply(ctx, "t1", "nope", Pause{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing campaign err = %v", err)
	}
}

func TestExpireDrafts(t *testing.T) {
	ctx := context.Background()
	s := &Store{KV: memkv.New()}
	if _, err := s.Create(ctx, Campaign{TenantID: "t1", EndsAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	n, err := s.ExpireDrafts(ctx, "t1", time.Now().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("ExpireDrafts = %d, %v", n, err)
	}
}

func TestParseOp(t *testing.T) {
	if _, err := ParseOp("explode", time.Time{}); err == nil {
		t.Fatal("expected an error for an unknown op")
	}
	if op, _ := ParseOp("Pause", time.Time{}); op != (Pause{}) {
		t.Fatalf("ParseOp(Pause) = %#v", op)
	}
}
