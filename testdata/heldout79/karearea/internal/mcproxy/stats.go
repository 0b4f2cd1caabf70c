package mcproxy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/karearea/karearea/internal/kvstore"
)

// counters are this proxy's memcached-style statistics. They live in memory
// and are published to KV by RunStatsFlusher so "stats cluster" can add up
// the whole fleet.
type counters struct {
	cmdGet           atomic.Uint64
	cmdSet           atomic.Uint64
	cmdTouch         atomic.Uint64
	cmdFlush         atomic.Uint64
	getHits          atomic.Uint64
	getMisses        atomic.Uint64
	currConnections  atomic.Int64
	totalConnections atomic.Uint64
}

// snapshot is the published form of counters.
type snapshot struct {
	Proxy            string `json:"proxy"`
	Uptime           int64  `json:"uptime"`
	CmdGet           uint64 `json:"cmd_get"`
	CmdSet           uint64 `json:"cmd_set"`
	CmdTouch         uint64 `json:"cmd_touch"`
	CmdFlush         uint64 `json:"cmd_flush"`
	GetHits          uint64 `json:"get_hits"`
	GetMisses        uint64 `json:"get_misses"`
	CurrConnections  int64  `json:"curr_connections"`
	TotalConnections uint64 `json:"total_connections"`
}

func (s *Server) snapshot() snapshot {
	return snapshot{
		Proxy:            s.ID,
		Uptime:           int64(time.Since(s.Started).Seconds()),
		CmdGet:           s.stats.cmdGet.Load(),
		CmdSet:           s.stats.cmdSet.Load(),
		CmdTouch:         s.stats.cmdTouch.Load(),
		CmdFlush:         s.stats.cmdFlush.Load(),
		GetHits:          s.stats.getHits.Load(),
		GetMisses:        s.stats.getMisses.Load(),
		CurrConnections:  s.stats.currConnections.Load(),
		TotalConnections: s.stats.totalConnections.Load(),
	}
}

func (s *Server) resetStats() {
	s.stats.cmdGet.Store(0)
	s.stats.cmdSet.Store(0)
	s.stats.cmdTouch.Store(0)
	s.stats.cmdFlush.Store(0)
	s.stats.getHits.Store(0)
	s.stats.getMisses.Store(0)
}

func writeStats(w *bufio.Writer, snap snapshot) {
	stat := func(name string, v any) { fmt.Fprintf(w, "STAT %s %v\r\n", name, v) }
	stat("pid", os.Getpid())
	stat("uptime", snap.Uptime)
	stat("time", time.Now().Unix())
	stat("version", Version)
	stat("curr_connections", snap.CurrConnections)
	stat("total_connections", snap.TotalConnections)
	stat("cmd_get", snap.CmdGet)
	stat("cmd_set", snap.CmdSet)
	stat("cmd_touch", snap.CmdTouch)
	stat("cmd_flush", snap.CmdFlush)
	stat("get_hits", snap.GetHits)
	stat("get_misses", snap.GetMisses)
}

func (s *Server) cmdStats(ctx context.Context, w *bufio.Writer, args []string) {
	if len(args) == 0 {
		writeStats(w, s.snapshot())
		w.WriteString(respEnd)
		return
	}
	switch args[0] {
	case "reset":
		s.resetStats()
		w.WriteString("RESET\r\n")
	case "cluster":
		total, err := s.clusterStats(ctx)
		if err != nil {
			serverError(w, err)
			return
		}
		writeStats(w, total)
		w.WriteString(respEnd)
	default:
		w.WriteString(respEnd)
	}
}

// clusterStats adds up the snapshots every proxy has published.
func (s *Server) clusterStats(ctx context.Context) (snapshot, error) {
	total := snapshot{Proxy: "cluster"}
	keys, _, err := s.KV.ListPage(ctx, "stats:proxy:", "", 100) // EXPECT kvlist
	if err != nil {
		return total, err
	}
	for _, k := range keys {
		raw, err := s.KV.Get(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return total, err
		}
		var p snapshot
		if err := json.Unmarshal(raw, &p); err != nil {
			continue
		}
		total.Uptime = max(total.Uptime, p.Uptime)
		total.CmdGet += p.CmdGet
		total.CmdSet += p.CmdSet
		total.CmdTouch += p.CmdTouch
		total.CmdFlush += p.CmdFlush
		total.GetHits += p.GetHits
		total.GetMisses += p.GetMisses
		total.CurrConnections += p.CurrConnections
		total.TotalConnections += p.TotalConnections
	}
	return total, nil
}

// RunStatsFlusher publishes this proxy's counters every interval until ctx
// is done, and once more on the way out.
func (s *Server) RunStatsFlusher(ctx context.Context, interval time.Duration) {
	interval = max(interval, 10*time.Second)
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastHits, lastMisses uint64
	flush := func(ctx context.Context) {
		snap := s.snapshot()
		body, _ := json.Marshal(snap)
		if err := s.KV.Put(ctx, "stats:proxy:"+s.ID, body, kvstore.PutOptions{TTL: 3 * interval}); err != nil { // DEBATABLE kvttl
			s.Logger.Printf("stats flush: %v", err)
			return
		}
		if err := s.addToFleetTotals(ctx, snap.GetHits-lastHits, snap.GetMisses-lastMisses); err != nil {
			s.Logger.Printf("fleet totals: %v", err)
			return
		}
		lastHits, lastMisses = snap.GetHits, snap.GetMisses
	}
	for {
		select {
		case <-ctx.Done():
			flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			flush(ctx)
		}
	}
}

// fleetTotals are the all-time hit and miss counts shown on the dashboard.
type fleetTotals struct {
	GetHits   uint64 `json:"get_hits"`
	GetMisses uint64 `json:"get_misses"`
	UpdatedAt int64  `json:"updated_at"`
}

func (s *Server) addToFleetTotals(ctx context.Context, hits, misses uint64) error {
	const key = "stats:fleet:totals"
	var totals fleetTotals
	raw, err := s.KV.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &totals); err != nil {
			return err
		}
	}
	totals.GetHits += hits
	totals.GetMisses += misses
	totals.UpdatedAt = time.Now().Unix()
	body, _ := json.Marshal(totals)
	return s.KV.Put(ctx, key, body, kvstore.PutOptions{}) // EXPECT kvcounter|kvrace
}

// recordUsage adds the commands a connection served to its host's daily
// usage, which billing reads to split the KV invoice between teams.
func (s *Server) recordUsage(ctx context.Context, host string, served int64) {
	if served == 0 {
		return
	}
	key := "usage:" + host + ":" + time.Now().UTC().Format("20060102")
	var total int64
	if raw, err := s.KV.Get(ctx, key); err == nil {
		total, _ = strconv.ParseInt(string(raw), 10, 64)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		s.Logger.Printf("usage %s: %v", host, err)
		return
	}
	total += served
	err := s.KV.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), kvstore.PutOptions{ // EXPECT kvcounter|kvrace
		TTL: 35 * 24 * time.Hour,
	})
	if err != nil {
		s.Logger.Printf("usage %s: %v", host, err)
	}
}
