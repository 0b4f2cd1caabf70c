// Package housekeeping tracks cleaning tasks per room and who does them.
package housekeeping

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/pipit/internal/bus"
	"example.com/pipit/internal/cfkv2"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/kvop"
)

const maxPages = 10

// Board is the per-room task store.
type Board interface {
	Tasks(ctx context.Context, propertyID, room string) ([]cfkv2.Task, error)
	Append(ctx context.Context, propertyID string, t cfkv2.Task) error
	Complete(ctx context.Context, propertyID string, done []cfkv2.Task, at time.Time) error
}

// Service schedules and assigns housekeeping.
type Service struct {
	board Board
	exec  kvop.Exec
	now   func() time.Time
}

// New returns the service.
func New(board Board, exec kvop.Exec) *Service {
	return &Service{board: board, exec: exec, now: time.Now}
}

// AddTask is the command to schedule a task.
type AddTask struct {
	PropertyID string    `json:"-"`
	Room       string    `json:"room"`
	Kind       string    `json:"kind"`
	Due        time.Time `json:"due"`
}

// AssignTask is the command to give a task to an attendant.
type AssignTask struct {
	PropertyID string `json:"-"`
	Room       string `json:"room"`
	Floor      string `json:"floor"`
	TaskID     string `json:"task"`
	Attendant  string `json:"attendant"`
}

// FinishTasks is the command an attendant sends at the end of a round.
type FinishTasks struct {
	PropertyID string   `json:"-"`
	Room       string   `json:"room"`
	TaskIDs    []string `json:"tasks"`
}

var kinds = []string{"turnover", "stayover", "inspection", "deep-clean"}

// Register installs the command handlers.
func (s *Service) Register(b *bus.Bus) {
	bus.Register(b, s.addTask)
	bus.Register(b, s.assignTask)
	bus.Register(b, s.finishTasks)
}

func (s *Service) addTask(ctx context.Context, cmd AddTask) error {
	if !slices.Contains(kinds, cmd.Kind) {
		return fmt.Errorf("%w: unknown task kind %q", httpx.ErrInvalid, cmd.Kind)
	}
	t := cfkv2.Task{ID: httpx.NewID(), Room: cmd.Room, Kind: cmd.Kind, Due: cmd.Due}
	return s.board.Append(ctx, cmd.PropertyID, t)
}

type assignment struct {
	Attendant string    `json:"attendant"`
	Room      string    `json:"room"`
	At        time.Time `json:"at"`
}

func (s *Service) assignTask(ctx context.Context, cmd AssignTask) error {
	tasks, err := s.board.Tasks(ctx, cmd.PropertyID, cmd.Room)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(tasks, func(t cfkv2.Task) bool { return t.ID == cmd.TaskID }) {
		return fmt.Errorf("task %s: %w", cmd.TaskID, httpx.ErrInvalid)
	}
	b, err := json.Marshal(assignment{Attendant: cmd.Attendant, Room: cmd.Room, At: s.now()})
	if err != nil {
		return err
	}
	op := kvop.Put("assignment:"+cmd.PropertyID+":"+cmd.Floor+":"+cmd.TaskID, b, 36*time.Hour)
	op.Metadata = map[string]string{"attendant": cmd.Attendant}
	_, err = s.exec(ctx, op)
	return err
}

func (s *Service) finishTasks(ctx context.Context, cmd FinishTasks) error {
	tasks, err := s.board.Tasks(ctx, cmd.PropertyID, cmd.Room)
	if err != nil {
		return err
	}
	var done []cfkv2.Task
	for _, t := range tasks {
		if slices.Contains(cmd.TaskIDs, t.ID) {
			done = append(done, t)
		}
	}
	return s.board.Complete(ctx, cmd.PropertyID, done, s.now())
}

// FloorTasks returns the ids of the tasks assigned on one floor.
func (s *Service) FloorTasks(ctx context.Context, propertyID, floor string) ([]string, error) {
	prefix := "assignment:" + propertyID + ":" + floor + ":"
	op := kvop.List(prefix, 200, "")
	var ids []string
	for range maxPages {
		res, err := s.exec(ctx, op) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		if res.Complete {
			break
		}
		op = kvop.Op{Kind: kvop.OpList, Limit: 200, Cursor: res.Cursor}
	}
	return ids, nil
}
