//go:build js && wasm

package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"razorbill/internal/events"
	"razorbill/internal/keys"
)

// subscribe registers the Worker's bookkeeping on the event bus.
func (s *Server) subscribe() {
	s.bus.On(events.EpisodePublished, s.onEpisodePublished)
	s.bus.On(events.EpisodePublished, func(e events.Event) error {
		p, ok := e.Payload.(events.PublishedEvent)
		if !ok {
			return nil
		}
		return s.feeds.Invalidate(keys.ShowID(p.ShowID))
	})
	s.bus.On(events.ListenerActivity, s.onActivity)
	s.bus.On(events.EpisodeDownloaded, func(e events.Event) error {
		if p, ok := e.Payload.(events.PlayEvent); ok {
			_, err := s.incPlays(p.EpisodeID)
			return err
		}
		return nil
	})
	s.bus.On(events.PlaybackProgress, func(e events.Event) error {
		p, ok := e.Payload.(events.ProgressEvent)
		if !ok {
			return nil
		}
		go s.recordHistory(keys.ListenerID(p.ListenerID), keys.EpisodeID(p.EpisodeID), p.Position)
		return nil
	})
	s.bus.On(events.PasswordChanged, s.onPasswordChanged)
	s.bus.On(events.PlaybackBatchFlush, s.onPlaybackBatch)
}

// onEpisodePublished adds the episode to its show's index.
func (s *Server) onEpisodePublished(e events.Event) error {
	p, ok := e.Payload.(events.PublishedEvent)
	if !ok {
		return nil
	}
	show := keys.ShowID(p.ShowID)
	ns := s.content.NS()
	raw, err := ns.GetString(show.EpisodeIndexKey(), nil)
	if err != nil {
		return err
	}
	var ids []string
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return fmt.Errorf("episode index of %s: %w", show, err)
		}
	}
	if slices.Contains(ids, p.EpisodeID) {
		return nil
	}
	ids = append([]string{p.EpisodeID}, ids...)
	b, _ := json.Marshal(ids)
	return ns.PutString(show.EpisodeIndexKey(), string(b), nil) // EXPECT kvrace
}

// onActivity routes listener activity to its bookkeeping.
func (s *Server) onActivity(e events.Event) error {
	switch m := e.Payload.(type) {
	case events.LoginEvent:
		l := keys.ListenerID(m.ListenerID)
		if err := s.stats.Put("lastlogin/"+m.ListenerID, m.At.UTC().Format(time.RFC3339), 90*24*time.Hour); err != nil {
			return err
		}
		go func() { _ = s.warmSubscriptions(context.Background(), l) }()
		return nil
	case events.LogoutEvent:
		if m.DeviceID == "" {
			return nil
		}
		return s.sessions.Delete("push_token/" + m.ListenerID + "/" + m.DeviceID) // EXPECT kvsession
	case events.SubscribeEvent:
		return s.content.Put("subscriber/"+m.ShowID+"/"+m.ListenerID, "1", 0)
	case events.PlayEvent:
		key := "hits/" + m.EpisodeID
		raw, ok, err := s.stats.Get(key)
		if err != nil {
			return err
		}
		hits := 0
		if ok {
			hits, _ = strconv.Atoi(raw)
		}
		return s.stats.NS().PutString(key, strconv.Itoa(hits+1), nil) // EXPECT kvcounter
	default:
		return nil
	}
}

// onPasswordChanged signs the listener out everywhere.
func (s *Server) onPasswordChanged(e events.Event) error {
	p, ok := e.Payload.(events.PasswordChangedEvent)
	if !ok {
		return nil
	}
	l := keys.ListenerID(p.ListenerID)
	idx := l.SessionIndexPrefix()
	opts := &kv.ListOptions{Prefix: idx, Limit: 1000}
	for {
		res, err := s.sessions.NS().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			sid := strings.TrimPrefix(k.Name, idx)
			if err := s.sessions.Delete(s.cfg.Session.Prefix + sid); err != nil { // EXPECT kvsession
				return err
			}
			_ = s.sessions.Delete(k.Name) // DEBATABLE kvsession
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

// onPlaybackBatch stores the positions reported by a player in one batch.
func (s *Server) onPlaybackBatch(e events.Event) error {
	batch, ok := e.Payload.([]events.ProgressEvent)
	if !ok {
		return nil
	}
	ns := s.stats.NS()
	for _, p := range batch {
		key := fmt.Sprintf("position/%s/%s", p.ListenerID, p.EpisodeID)
		if err := ns.PutString(key, strconv.Itoa(int(p.Position.Seconds())), &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600}); err != nil {
			return err
		}
		_ = ns.PutString("stats/last-position-event", p.ListenerID, nil) // EXPECT kvhotkey
	}
	return nil
}
