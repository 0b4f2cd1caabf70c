// Command edgeconf-sync compiles tenant flag snapshots from the control-plane
// namespace and pushes them into the edge namespace the Workers read. It
// also folds edge hit reports into per-tenant totals.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"example.com/edgeconf/internal/edgesync"
	"example.com/edgeconf/internal/rollout"
	"example.com/edgeconf/internal/storage"
	"example.com/edgeconf/internal/storage/kvhttp"
)

// flagSource compiles snapshots for every tenant with flags.
type flagSource struct {
	flags   *rollout.Service
	tenants storage.KeyLister
}

func (s flagSource) Changed(ctx context.Context, _ time.Time) (map[string][]byte, error) {
	keys, err := s.tenants.List(ctx, "tenant:")
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		id := strings.TrimPrefix(k, "tenant:")
		snap, err := s.flags.Compile(ctx, id)
		if err != nil {
			return nil, err
		}
		buf, err := json.Marshal(snap)
		if err != nil {
			return nil, err
		}
		out[id] = buf
	}
	return out, nil
}

type status struct {
	Node     string    `json:"node"`
	LastPush time.Time `json:"last_push"`
	Pushed   int       `json:"pushed"`
	LastErr  string    `json:"last_err,omitempty"`
}

func main() {
	var (
		account     = flag.String("account", os.Getenv("CLOUDFLARE_ACCOUNT_ID"), "Cloudflare account ID")
		token       = flag.String("token", os.Getenv("CLOUDFLARE_API_TOKEN"), "API token")
		controlNS   = flag.String("control-namespace", os.Getenv("EDGECONF_KV_NAMESPACE"), "control-plane KV namespace")
		edgeNS      = flag.String("edge-namespace", os.Getenv("EDGECONF_EDGE_NAMESPACE"), "edge KV namespace")
		nodeID      = flag.String("node", hostname(), "node identifier")
		interval    = flag.Duration("interval", 30*time.Second, "push interval")
		snapshotTTL = flag.Duration("snapshot-ttl", 24*time.Hour, "edge snapshot expiry")
		listen      = flag.String("listen", ":9090", "ingest listener")
	)
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("node", *nodeID)

	control := kvhttp.New(kvhttp.Config{APIToken: *token, AccountID: *account, NamespaceID: *controlNS}, nil)
	edge := kvhttp.New(kvhttp.Config{APIToken: *token, AccountID: *account, NamespaceID: *edgeNS}, nil)
	controlStore := kvhttp.NewStore(control)

	flags := rollout.NewService(controlStore, rollout.WithLogger(log))
	pusher := edgesync.NewPusher(edgesync.Config{
		AccountID:   *account,
		NamespaceID: *edgeNS,
		APIToken:    *token,
		NodeID:      *nodeID,
		SnapshotTTL: *snapshotTTL,
		StaleTTL:    10 * time.Minute,
	}, edge, nil, flagSource{flags: flags, tenants: controlStore}, log)
	lock := edgesync.NewLock(edge, *nodeID, 2*(*interval), log)
	hits := edgesync.NewHitFlusher(edge, log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	mux := http.NewServeMux()
	mux.HandleFunc("POST /ingest/hits", func(w http.ResponseWriter, r *http.Request) {
		var batch map[string]int64
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for k, n := range batch {
			hits.Add(k, n)
		}
		w.WriteHeader(http.StatusAccepted)
	})
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ingest listener", "err", err)
		}
	}()

	writeStatus := func(ctx context.Context, st status) {
		buf, _ := json.Marshal(st)
		if err := edge.Put(ctx, "sync-status:"+*nodeID, buf, kvhttp.PutOptions{ExpirationTTL: int(2 * time.Minute)}); err != nil { // EXPECT kvttl
			log.Warn("status write failed", "err", err)
		}
	}

	tick := time.NewTicker(*interval)
	defer tick.Stop()
	last := time.Time{}
	for {
		select {
		case <-ctx.Done():
			shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = hits.FlushBulk(shutdown)
			_ = srv.Shutdown(shutdown)
			cancel()
			return
		case <-tick.C:
		}

		st := status{Node: *nodeID, LastPush: last}
		if release, err := lock.Acquire(ctx, "push"); err == nil {
			started := time.Now()
			n, perr := pusher.PushChanged(ctx, last)
			release(ctx)
			if perr != nil {
				st.LastErr = perr.Error()
				log.Error("push failed", "err", perr)
			} else {
				last, st.LastPush, st.Pushed = started, started, n
			}
		} else if !errors.Is(err, edgesync.ErrLocked) {
			log.Warn("lock", "err", err)
		}
		if err := pusher.Heartbeat(ctx); err != nil {
			log.Warn("heartbeat failed", "err", err)
		}
		if err := hits.Flush(ctx); err != nil {
			log.Warn("hit flush incomplete", "err", err)
		}
		writeStatus(ctx, st)
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "sync-unknown"
	}
	return h
}
