package channels

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"example.com/relay/internal/store/memstore"
)

func TestJoinAndRoster(t *testing.T) {
	ctx := context.Background()
	svc := New(memstore.New())
	ch, err := svc.Create(ctx, "ws_1", "general", "u_owner", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"u_a", "u_b", "u_a"} {
		if err := svc.Join(ctx, "ws_1", ch.ID, u, "member"); err != nil {
			t.Fatal(err)
		}
	}
	roster, err := svc.Roster(ctx, "ws_1", ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(roster)
	if want := []string{"u_a", "u_b", "u_owner"}; !slices.Equal(roster, want) {
		t.Fatalf("roster = %v, want %v", roster, want)
	}
	ok, err := svc.IsMember(ctx, "ws_1", ch.ID, "u_b")
	if err != nil || !ok {
		t.Fatalf("IsMember = %v, %v", ok, err)
	}
}

func TestMembersPage(t *testing.T) {
	ctx := context.Background()
	svc := New(memstore.New())
	for i := 0; i < 25; i++ {
		if err := svc.Join(ctx, "ws_1", "c1", fmt.Sprintf("u_%02d", i), "member"); err != nil {
			t.Fatal(err)
		}
	}
	var all []Member
	cursor := ""
	for {
		ms, next, err := svc.MembersPage(ctx, "ws_1", "c1", cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ms...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(all) != 25 || all[0].Role != "member" {
		t.Fatalf("got %d members, first %+v", len(all), all[0])
	}
}
