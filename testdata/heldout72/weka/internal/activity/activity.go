// Package activity stores recent activity: a fixed-size ring per user for the
// profile page, and an append-only log per question, split into segments of
// bounded size so that no single value grows without limit.
package activity

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"weka/internal/codec"
	"weka/internal/kvstore"
)

const (
	ringSize    = 64
	segmentMax  = 64 << 10 // bytes per log segment
	logLifetime = 180 * 24 * time.Hour
)

// Store reads and writes activity.
type Store struct {
	KV *kvstore.Client
}

func ringKey(uid uint64) string          { return fmt.Sprintf("act:u:%d", uid) }
func headKey(q uint64) string            { return fmt.Sprintf("log:%d:head", q) }
func segKey(q uint64, seg uint64) string { return fmt.Sprintf("log:%d:%06d", q, seg) }

// Record pushes e onto the actor's ring of recent activity.
func (s *Store) Record(ctx context.Context, e codec.Event) error {
	ring := codec.NewRing(ringSize)
	raw, found, err := s.KV.Get(ctx, kvstore.NSQuestions, ringKey(e.Actor))
	if err != nil {
		return err
	}
	if found {
		if err := ring.UnmarshalBinary(raw); err != nil {
			return err
		}
	}
	ring.Push(e)
	out, _ := ring.MarshalBinary()
	return s.KV.Put(ctx, kvstore.NSQuestions, ringKey(e.Actor), out) // EXPECT kvrace
}

// Recent returns the newest events of uid.
func (s *Store) Recent(ctx context.Context, uid uint64) ([]codec.Event, error) {
	raw, found, err := s.KV.Get(ctx, kvstore.NSQuestions, ringKey(uid))
	if err != nil || !found {
		return nil, err
	}
	ring := codec.NewRing(ringSize)
	if err := ring.UnmarshalBinary(raw); err != nil {
		return nil, err
	}
	return ring.Events(), nil
}

func encodeEvent(e codec.Event) []byte {
	var b [25]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(e.At.Unix()))
	b[8] = e.Kind
	binary.BigEndian.PutUint64(b[9:17], e.Ref)
	binary.BigEndian.PutUint64(b[17:25], e.Actor)
	return b[:]
}

func (s *Store) head(ctx context.Context, q uint64) (uint64, error) {
	raw, found, err := s.KV.Get(ctx, kvstore.NSQuestions, headKey(q))
	if err != nil || !found {
		return 0, err
	}
	return strconv.ParseUint(string(raw), 10, 64)
}

// Append adds e to the log of question q, rolling to a new segment when the
// current one is full.
func (s *Store) Append(ctx context.Context, q uint64, e codec.Event) error {
	seg, err := s.head(ctx, q)
	if err != nil {
		return err
	}
	cur, _, err := s.KV.Get(ctx, kvstore.NSQuestions, segKey(q, seg))
	if err != nil {
		return err
	}
	frame := codec.AppendFrame(nil, encodeEvent(e))
	if len(cur)+len(frame) > segmentMax {
		seg++
		if err := s.KV.Put(ctx, kvstore.NSQuestions, headKey(q), []byte(strconv.FormatUint(seg, 10))); err != nil { // EXPECT kvrace|kvcounter
			return err
		}
		cur = nil
	}
	return s.KV.PutTTL(ctx, kvstore.NSQuestions, segKey(q, seg), append(cur, frame...), logLifetime) // EXPECT kvrace
}

// Import writes a backlog of events of question q, as exported from the old
// forum, into fresh segments.
func (s *Store) Import(ctx context.Context, q uint64, events []codec.Event) error {
	var seg uint64
	var buf []byte
	for _, e := range events {
		frame := codec.AppendFrame(nil, encodeEvent(e))
		if len(buf)+len(frame) > segmentMax {
			seg++
			buf = nil
		}
		buf = append(buf, frame...)
		if err := s.KV.PutTTL(ctx, kvstore.NSQuestions, segKey(q, seg), buf, logLifetime); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return s.KV.Put(ctx, kvstore.NSQuestions, headKey(q), []byte(strconv.FormatUint(seg, 10)))
}

// Compact rewrites the segments of q older than keep into one archive value
// and removes them. It runs from the nightly job.
func (s *Store) Compact(ctx context.Context, q uint64, keep uint64) error {
	head, err := s.head(ctx, q)
	if err != nil || head <= keep {
		return err
	}
	var archive []byte
	var old []string
	for seg := range head - keep {
		raw, found, err := s.KV.Get(ctx, kvstore.NSQuestions, segKey(q, seg))
		if err != nil {
			return err
		}
		if found {
			archive = append(archive, raw...)
		}
		old = append(old, segKey(q, seg))
	}
	if err := s.KV.PutTTL(ctx, kvstore.NSQuestions, fmt.Sprintf("log:%d:archive:%d", q, head-keep), archive, logLifetime); err != nil {
		return err
	}
	return s.KV.BulkDelete(ctx, kvstore.NSQuestions, old)
}
