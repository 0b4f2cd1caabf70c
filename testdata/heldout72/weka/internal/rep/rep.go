// Package rep keeps reputation totals and the leaderboards built from them.
package rep

import (
	"container/heap"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"time"

	"weka/internal/codec"
	"weka/internal/kvstore"
)

// Entry is one row of a leaderboard.
type Entry struct {
	User  uint64
	Score int64
}

// topK is a min-heap holding the K best entries seen so far.
type topK []Entry

func (h topK) Len() int           { return len(h) }
func (h topK) Less(i, j int) bool { return h[i].Score < h[j].Score }
func (h topK) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topK) Push(x any)        { *h = append(*h, x.(Entry)) }
func (h *topK) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// Board is a bounded leaderboard.
type Board struct {
	K int
	h topK
}

// Offer adds e if it ranks among the best K.
func (b *Board) Offer(e Entry) {
	for i := range b.h {
		if b.h[i].User == e.User {
			b.h[i].Score = e.Score
			heap.Fix(&b.h, i)
			return
		}
	}
	if len(b.h) < b.K {
		heap.Push(&b.h, e)
		return
	}
	if e.Score > b.h[0].Score {
		b.h[0] = e
		heap.Fix(&b.h, 0)
	}
}

// MarshalBinary writes the entries, best first, as varint pairs.
func (b *Board) MarshalBinary() ([]byte, error) {
	tmp := topK(append([]Entry(nil), b.h...))
	out := make([]Entry, len(tmp))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&tmp).(Entry)
	}
	buf := binary.AppendUvarint(nil, uint64(b.K))
	for _, e := range out {
		buf = binary.AppendUvarint(buf, e.User)
		buf = binary.AppendVarint(buf, e.Score)
	}
	return buf, nil
}

func (b *Board) UnmarshalBinary(raw []byte) error {
	k, w := binary.Uvarint(raw)
	if w <= 0 {
		return codec.ErrCorrupt
	}
	b.K, b.h = int(k), b.h[:0]
	for raw = raw[w:]; len(raw) > 0; {
		u, w1 := binary.Uvarint(raw)
		if w1 <= 0 {
			return codec.ErrCorrupt
		}
		s, w2 := binary.Varint(raw[w1:])
		if w2 <= 0 {
			return codec.ErrCorrupt
		}
		b.h = append(b.h, Entry{User: u, Score: s})
		raw = raw[w1+w2:]
	}
	heap.Init(&b.h)
	return nil
}

// Service applies votes and keeps boards.
type Service struct {
	KV   *kvstore.Client
	DB   *sql.DB
	Node string
}

func repKey(uid uint64) string { return fmt.Sprintf("rep:u:%d", uid) }

// Adjust changes the reputation of uid by delta and returns the new total.
func (s *Service) Adjust(ctx context.Context, uid uint64, delta int64, now time.Time) (uint64, error) {
	var cur uint64
	raw, found, err := s.KV.Get(ctx, kvstore.NSMetrics, repKey(uid))
	if err != nil {
		return 0, err
	}
	if found {
		if cur, _, err = codec.Stamp(raw); err != nil {
			return 0, err
		}
	}
	next := uint64(max(int64(cur)+delta, 1))
	return next, s.KV.Put(ctx, kvstore.NSMetrics, repKey(uid), codec.PutStamp(next, now)) // EXPECT kvcounter|kvrace
}

// Vote is one up or down vote on a post.
type Vote struct {
	Voter, Author uint64
	Delta         int64
}

// ApplyVotes folds a batch of votes into the live board and publishes it.
func (s *Service) ApplyVotes(ctx context.Context, board *Board, totals map[uint64]int64, votes []Vote) error {
	for _, v := range votes {
		totals[v.Author] += v.Delta
		board.Offer(Entry{User: v.Author, Score: totals[v.Author]})
		raw, _ := board.MarshalBinary()
		if err := s.KV.Put(ctx, kvstore.NSMetrics, "lb:live", raw); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SnapshotWeek rebuilds the weekly board from the database. It runs hourly.
func (s *Service) SnapshotWeek(ctx context.Context, now time.Time) error {
	year, week := now.ISOWeek()
	rows, err := s.DB.QueryContext(ctx, `SELECT user_id, sum(delta) FROM rep_events WHERE created_at > $1 GROUP BY user_id`, now.AddDate(0, 0, -7))
	if err != nil {
		return err
	}
	defer rows.Close()
	board := &Board{K: 100}
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.User, &e.Score); err != nil {
			return err
		}
		board.Offer(e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	raw, _ := board.MarshalBinary()
	return s.KV.PutTTL(ctx, kvstore.NSMetrics, fmt.Sprintf("lb:week:%d-%02d", year, week), raw, 15*24*time.Hour)
}

// PublishTotals copies authoritative totals for a batch of users to KV so
// that profile cards at the edge can show them.
func (s *Service) PublishTotals(ctx context.Context, users []uint64, now time.Time) error {
	for _, uid := range users {
		var total uint64
		if err := s.DB.QueryRowContext(ctx, `SELECT reputation FROM users WHERE id = $1`, uid).Scan(&total); err != nil {
			return err
		}
		if err := s.KV.Put(ctx, kvstore.NSMetrics, repKey(uid)+":card", codec.PutStamp(total, now)); err != nil {
			return err
		}
	}
	return nil
}

// Bounties are tallied per node: each API node writes only its own slot,
// readers merge the slots of all nodes.
func bountyKey(q uint64) string { return fmt.Sprintf("bounty:q:%d", q) }

// OfferBounty records that this node saw n more bounty points on q.
func (s *Service) OfferBounty(ctx context.Context, q uint64, n uint64) error {
	counts := codec.NewNodeCounts()
	raw, found, err := s.KV.Get(ctx, kvstore.NSMetrics, bountyKey(q))
	if err != nil {
		return err
	}
	if found {
		if err := counts.UnmarshalBinary(raw); err != nil {
			return err
		}
	}
	counts.Add(s.Node, n)
	out, _ := counts.MarshalBinary()
	return s.KV.Put(ctx, kvstore.NSMetrics, bountyKey(q), out) // EXPECT kvrace|kvcounter
}

// NodeTally is the in-memory slot of this node for the accepted-answer tallies.
type NodeTally struct {
	Node   string
	counts map[uint64]*codec.NodeCounts
}

func (t *NodeTally) Accept(q uint64) {
	if t.counts == nil {
		t.counts = map[uint64]*codec.NodeCounts{}
	}
	c, ok := t.counts[q]
	if !ok {
		c = codec.NewNodeCounts()
		t.counts[q] = c
	}
	c.Add(t.Node, 1)
}

// Publish writes this node's slots under keys only this node writes.
func (s *Service) Publish(ctx context.Context, t *NodeTally) error {
	for q, c := range t.counts {
		raw, _ := c.MarshalBinary()
		if err := s.KV.PutTTL(ctx, kvstore.NSMetrics, fmt.Sprintf("accepted:q:%d:%s", q, t.Node), raw, 90*24*time.Hour); err != nil {
			return err
		}
	}
	return nil
}

// Accepted merges the slots of the given nodes.
func (s *Service) Accepted(ctx context.Context, q uint64, nodes []string) (uint64, error) {
	merged := codec.NewNodeCounts()
	for _, node := range nodes {
		raw, found, err := s.KV.Get(ctx, kvstore.NSMetrics, fmt.Sprintf("accepted:q:%d:%s", q, node))
		if err != nil {
			return 0, err
		}
		if !found {
			continue
		}
		c := codec.NewNodeCounts()
		if err := c.UnmarshalBinary(raw); err != nil {
			return 0, err
		}
		merged.Merge(c)
	}
	return merged.Total(), nil
}
