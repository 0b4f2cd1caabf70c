package housekeeping

import (
	"context"
	"testing"
	"time"

	"example.com/pipit/internal/cfkv2"
	"example.com/pipit/internal/kvop"
)

// fakeBoard keeps room task lists in memory.
type fakeBoard struct {
	rooms map[string][]cfkv2.Task
	done  []cfkv2.Task
}

func (f *fakeBoard) Tasks(_ context.Context, propertyID, room string) ([]cfkv2.Task, error) {
	return f.rooms[propertyID+"/"+room], nil
}

func (f *fakeBoard) Append(_ context.Context, propertyID string, t cfkv2.Task) error {
	k := propertyID + "/" + t.Room
	f.rooms[k] = append(f.rooms[k], t)
	return nil
}

func (f *fakeBoard) Complete(_ context.Context, _ string, done []cfkv2.Task, _ time.Time) error {
	f.done = append(f.done, done...)
	return nil
}

func TestAddAndFinish(t *testing.T) {
	ctx := context.Background()
	board := &fakeBoard{rooms: map[string][]cfkv2.Task{}}
	exec := func(context.Context, kvop.Op) (kvop.Result, error) { return kvop.Result{Complete: true}, nil }
	s := New(board, exec)
	if err := s.addTask(ctx, AddTask{PropertyID: "p1", Room: "204", Kind: "turnover"}); err != nil {
		t.Fatal(err)
	}
	id := board.rooms["p1/204"][0].ID
	if err := s.finishTasks(ctx, FinishTasks{PropertyID: "p1", Room: "204", TaskIDs: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if len(board.done) != 1 {
		t.Fatalf("done = %v", board.done)
	}
	if err := s.addTask(ctx, AddTask{PropertyID: "p1", Room: "204", Kind: "polish"}); err == nil {
		t.Fatal("unknown kind accepted")
	}
}
