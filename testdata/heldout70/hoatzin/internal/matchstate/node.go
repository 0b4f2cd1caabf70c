package matchstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// Node is a single-voter Raft node used by the API process.
type Node struct {
	Raft *raft.Raft
	FSM  *FSM
}

// StartLocal boots a one-node cluster on in-memory stores and transport.
func StartLocal(id string, fsm *FSM) (*Node, error) {
	conf := raft.DefaultConfig()
	conf.LocalID = raft.ServerID(id)
	conf.SnapshotThreshold = 512
	addr, trans := raft.NewInmemTransport(raft.NewInmemAddr())
	store := raft.NewInmemStore()
	snaps := raft.NewInmemSnapshotStore()
	r, err := raft.NewRaft(conf, fsm, store, store, snaps, trans)
	if err != nil {
		return nil, err
	}
	f := r.BootstrapCluster(raft.Configuration{Servers: []raft.Server{{ID: conf.LocalID, Address: addr}}})
	if err := f.Error(); err != nil && !errors.Is(err, raft.ErrCantBootstrap) {
		return nil, err
	}
	return &Node{Raft: r, FSM: fsm}, nil
}

// Submit replicates one command and returns what Apply returned for it.
func (n *Node) Submit(ctx context.Context, op Op, data any) (any, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	cmd, err := json.Marshal(Envelope{Op: op, V: 1, Data: raw})
	if err != nil {
		return nil, err
	}
	timeout := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	fut := n.Raft.Apply(cmd, timeout)
	if err := fut.Error(); err != nil {
		return nil, fmt.Errorf("matchstate: apply %s: %w", op, err)
	}
	if err, ok := fut.Response().(error); ok && err != nil {
		return nil, err
	}
	return fut.Response(), nil
}

// Join replicates a lobby join and returns the updated lobby.
func (n *Node) Join(ctx context.Context, lobbyID, playerID string) (Lobby, error) {
	res, err := n.Submit(ctx, OpLobbyJoin, joinCmd{LobbyID: lobbyID, PlayerID: playerID})
	if err != nil {
		return Lobby{}, err
	}
	lb, _ := res.(Lobby)
	return lb, nil
}

// AddScore replicates a score change of a running match.
func (n *Node) AddScore(ctx context.Context, matchID string, delta int) error {
	_, err := n.Submit(ctx, OpMatchScore, scoreCmd{MatchID: matchID, Delta: delta})
	return err
}
