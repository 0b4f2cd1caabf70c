package cmdbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"example.com/wayfarer/internal/cmdbus"
	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/storage"
)

type mapStore map[string][]byte

func (m mapStore) Get(_ context.Context, k string) ([]byte, error) {
	if v, ok := m[k]; ok {
		return v, nil
	}
	return nil, storage.ErrNotFound
}

func (m mapStore) Put(_ context.Context, k string, v []byte, _ ...storage.Option[storage.PutOptions]) error {
	m[k] = v
	return nil
}

func (m mapStore) Delete(_ context.Context, k string) error { delete(m, k); return nil }

func (m mapStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func TestAddSegment(t *testing.T) {
	ms := mapStore{}
	raw, _ := json.Marshal(domain.Trip{ID: "t1"})
	ms["trip:t1"] = raw
	var seen []string
	d := cmdbus.NewDispatcher(ms, cmdbus.WithHook(func(_ context.Context, name string, _ time.Duration, _ error) {
		seen = append(seen, name)
	}))
	now := time.Now()
	seg := domain.Segment{From: "LHR", To: "JFK", Depart: now, Arrive: now.Add(8 * time.Hour)}
	if err := d.Execute(context.Background(), cmdbus.AddSegment{TripID: "t1", Segment: seg}); err != nil {
		t.Fatal(err)
	}
	var got domain.Trip
	_ = json.Unmarshal(ms["trip:t1"], &got)
	if len(got.Segments) != 1 || len(seen) != 1 || seen[0] != "AddSegment" {
		t.Fatalf("trip=%+v hooks=%v", got, seen)
	}
}

func TestAddSegmentRejectsBackwardsLeg(t *testing.T) {
	now := time.Now()
	cmd := cmdbus.AddSegment{TripID: "t1", Segment: domain.Segment{From: "A", To: "B", Depart: now, Arrive: now}}
	err := cmdbus.NewDispatcher(mapStore{}).Execute(context.Background(), cmd)
	if !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("err = %v", err)
	}
}

func TestRotateRefreshToken(t *testing.T) {
	ms := mapStore{"refresh:old": []byte(`{}`)}
	cmd := cmdbus.RotateRefreshToken{TravellerID: "u1", Old: "old", New: "new", Lifetime: 24 * time.Hour}
	if err := cmdbus.NewDispatcher(ms).Execute(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	if _, ok := ms["refresh:old"]; ok {
		t.Fatal("old token still present")
	}
	if _, ok := ms["refresh:new"]; !ok {
		t.Fatal("new token missing")
	}
}
