package lobby_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/lobby"
)

func fixedClock() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }

func TestCreateLobbyVanityCode(t *testing.T) {
	ctx := context.Background()
	repo := lobby.KVRepo{Store: newMemStore()}
	create := lobby.CreateLobby{Lobbies: repo, Clock: fixedClock}

	l, err := create.Execute(ctx, lobby.CreateInput{HostID: "p1", Mode: "duo", Region: "eu", MaxPlayers: 4, VanityCode: "friday"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if l.Code != "FRIDAY" || !l.Private {
		t.Fatalf("got code %q private=%v", l.Code, l.Private)
	}
	_, err = create.Execute(ctx, lobby.CreateInput{HostID: "p2", Mode: "duo", Region: "eu", VanityCode: "FRIDAY"})
	if !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second create: want conflict, got %v", err)
	}
}

func TestJoinLobby(t *testing.T) {
	ctx := context.Background()
	repo := lobby.KVRepo{Store: newMemStore()}
	l, err := lobby.CreateLobby{Lobbies: repo, Clock: fixedClock}.Execute(ctx,
		lobby.CreateInput{HostID: "host", Mode: "squad", Region: "na", MaxPlayers: 2})
	if err != nil {
		t.Fatal(err)
	}
	join := lobby.JoinLobby{Lobbies: repo}
	if _, err := join.Execute(ctx, lobby.JoinInput{Code: l.Code, PlayerID: "guest"}); err != nil {
		t.Fatalf("join: %v", err)
	}
	if _, err := join.Execute(ctx, lobby.JoinInput{Code: l.Code, PlayerID: "late"}); !errors.Is(err, lobby.ErrLobbyFull) {
		t.Fatalf("join full lobby: got %v", err)
	}
	if _, err := join.Execute(ctx, lobby.JoinInput{Code: "NOPE42", PlayerID: "x"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("join missing lobby: got %v", err)
	}
}

func TestBrowsePages(t *testing.T) {
	ctx := context.Background()
	repo := lobby.KVRepo{Store: newMemStore()}
	create := lobby.CreateLobby{Lobbies: repo, Clock: fixedClock}
	for i := range 120 {
		if _, err := create.Execute(ctx, lobby.CreateInput{HostID: fmt.Sprint("h", i), Mode: "solo", Region: "ap"}); err != nil {
			t.Fatal(err)
		}
	}
	seen, cursor, pages := 0, "", 0
	for {
		items, next, err := lobby.Browse{Lobbies: repo}.Execute(ctx, "ap", cursor)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(items)
		pages++
		if next == "" || pages > 10 {
			break
		}
		cursor = next
	}
	if seen != 120 || pages != 3 {
		t.Fatalf("saw %d lobbies over %d pages", seen, pages)
	}
}

func TestReadyCheckOnlyHost(t *testing.T) {
	ctx := context.Background()
	mem := newMemStore()
	repo := lobby.KVRepo{Store: mem}
	l, err := lobby.CreateLobby{Lobbies: repo, Clock: fixedClock}.Execute(ctx,
		lobby.CreateInput{HostID: "host", Mode: "duo", Region: "eu"})
	if err != nil {
		t.Fatal(err)
	}
	rc := lobby.StartReadyCheck{Lobbies: repo}
	if err := rc.Execute(ctx, l.Code, "guest"); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("guest ready check: got %v", err)
	}
	if err := rc.Execute(ctx, l.Code, "host"); err != nil {
		t.Fatalf("host ready check: %v", err)
	}
}
