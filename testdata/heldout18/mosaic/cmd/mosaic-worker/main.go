//go:build js && wasm

// Command mosaic-worker is the Mosaic gallery worker: the HTTP API, the
// cron jobs and the thumbnail queue consumer.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	_ "github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/mosaic/internal/albums"
	"example.com/mosaic/internal/config"
	"example.com/mosaic/internal/edge"
	"example.com/mosaic/internal/jobs"
	"example.com/mosaic/internal/maintenance"
	"example.com/mosaic/internal/moderation"
	"example.com/mosaic/internal/quota"
	"example.com/mosaic/internal/sharing"
	"example.com/mosaic/internal/storage"
	_ "example.com/mosaic/internal/storage/kvstore"
	_ "example.com/mosaic/internal/storage/memstore"
	"example.com/mosaic/internal/storage/mw"
	"example.com/mosaic/internal/thumbs"
	"example.com/mosaic/internal/uploads"
	"example.com/mosaic/internal/views"
)

// imageResizer asks Cloudflare Image Resizing for scaled originals.
type imageResizer struct{ client *http.Client }

func (r imageResizer) Resize(ctx context.Context, photoID string, size thumbs.Size) ([]byte, error) {
	u := fmt.Sprintf("https://mosaic.example.com/cdn-cgi/image/fit=scale-down,width=%d,height=%d,format=jpeg/originals/%s", size, size, photoID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("resize %s: status %d", photoID, res.StatusCode)
	}
	return io.ReadAll(res.Body)
}

type app struct {
	once   sync.Once
	err    error
	server *edge.Server
	thumbs *thumbs.Cache
	jobs   *jobs.Runner
}

func (a *app) init() error {
	a.once.Do(func() { a.err = a.build() })
	return a.err
}

func (a *app) build() error {
	cfg, err := config.FromEnv(cloudflare.Getenv)
	if err != nil {
		return err
	}
	log := config.NewLogger(os.Stdout, cfg.LogLevel)
	ns, err := kv.NewNamespace(cfg.KVBinding)
	if err != nil {
		return err
	}
	thumbNS, err := kv.NewNamespace(cfg.ThumbBinding)
	if err != nil {
		return err
	}
	db, err := sql.Open("d1", cfg.D1Binding)
	if err != nil {
		return err
	}
	flags := maintenance.New(ns, log)
	raw, err := storage.Open(cfg.StoreDriver, map[string]string{"binding": cfg.KVBinding})
	if err != nil {
		return err
	}
	st := storage.Chain(raw, mw.Logging(log), mw.ReadOnly(flags.ReadOnly), mw.Namespace(cfg.Tenant))

	albumSvc := albums.NewService(st, log)
	var meter uploads.Meter = quota.NewLedgerMeter(db)
	if cfg.Env == "selfhosted" {
		plans := quota.NewPlanCache(st, quota.SQLPlanSource{DB: db}, cfg.PlanCacheTTL)
		meter = quota.NewStoreMeter(st, plans.Limit)
	}
	index := func(ctx context.Context, albumID, photoID string) error {
		return albumSvc.AddPhoto(ctx, albums.AlbumID(albumID), photoID)
	}
	resizer := imageResizer{client: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)}
	a.thumbs = thumbs.NewCache(thumbNS, resizer, cfg.ThumbTTL, cfg.PreviewTTL, log)

	lists := moderation.NewLists(ns, log, cfg.MaxListPages)
	snap := moderation.NewSnapshot()
	go lists.Refresh(context.Background(), snap, time.Duration(cfg.RefreshEveryS)*time.Second)

	deps := edge.Deps{
		Config: cfg, NS: ns, Store: st, Albums: albumSvc, Thumbs: a.thumbs, Log: log,
		Sharing:  sharing.NewService(st, cfg.ShareLinkTTL(), log),
		Uploads:  uploads.NewService(st, meter, index, cfg.UploadSessionTTL(), log),
		Legacy:   views.NewLegacyCounter(ns),
		Flags:    flags,
		Lists:    lists,
		Snapshot: snap,
		Strikes:  moderation.NewStrikes(st, 3),
	}
	if sink, err := views.NewDurableSink(cfg.ViewsDO); err == nil {
		b := views.NewBatcher(sink, cfg.FlushSize, cfg.FlushInterval, log)
		b.OnFlush(views.PublishTrending(ns))
		deps.Views = b
	}
	a.server = edge.New(deps)
	a.jobs = jobs.New(ns, db, log, cfg.MaxListPages)
	return nil
}

func main() {
	a := &app{}
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		if err := a.init(); err != nil {
			return err
		}
		return a.jobs.Task(ctx)
	})
	queues.ConsumeNonBlock(func(batch *queues.MessageBatch) error {
		if err := a.init(); err != nil {
			return err
		}
		return a.thumbs.Consumer(context.Background())(batch)
	})
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.init(); err != nil {
			http.Error(w, "worker misconfigured: "+err.Error(), http.StatusInternalServerError)
			return
		}
		a.server.Handler().ServeHTTP(w, r)
	}))
}
