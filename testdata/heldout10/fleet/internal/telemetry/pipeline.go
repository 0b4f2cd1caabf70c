package telemetry

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"example.com/fleet/internal/kvstore"
)

// Event is anything the ingest queue delivers.
type Event interface{ isEvent() }

// Reading is one sensor value.
type Reading struct {
	Device string
	Metric string
	Value  float64
	At     time.Time
}

// StatusChange is emitted by the MQTT bridge when a device connects or drops.
type StatusChange struct {
	Device string
	Online bool
	At     time.Time
}

// Flush asks the pipeline to write what it has buffered.
type Flush struct{ Done chan error }

func (Reading) isEvent()      {}
func (StatusChange) isEvent() {}
func (Flush) isEvent()        {}

// Pipeline consumes events from the queue and writes rollups in batches.
type Pipeline struct {
	rollups *Rollups
	store   kvstore.Writer
	in      <-chan Event
	log     *slog.Logger

	buf   map[bufKey][]float64
	tiles map[string]Tile
}

type bufKey struct {
	kind           Kind
	device, metric string
	window         string
	at             time.Time
}

func NewPipeline(r *Rollups, w kvstore.Writer, in <-chan Event, log *slog.Logger) *Pipeline {
	return &Pipeline{rollups: r, store: w, in: in, log: log, buf: map[bufKey][]float64{}, tiles: map[string]Tile{}}
}

// Run blocks until ctx is done or the input closes.
func (p *Pipeline) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return p.flush(context.WithoutCancel(ctx))
		case <-tick.C:
			if err := p.flush(ctx); err != nil {
				p.log.Error("telemetry flush", "err", err)
			}
		case ev, ok := <-p.in:
			if !ok {
				return p.flush(ctx)
			}
			if err := p.handle(ctx, ev); err != nil {
				p.log.Error("telemetry event", "err", err)
			}
		}
	}
}

func (p *Pipeline) handle(ctx context.Context, ev Event) error {
	switch e := ev.(type) {
	case Reading:
		for _, k := range []Kind{Minute, Hourly} {
			bk := bufKey{kind: k, device: e.Device, metric: e.Metric, window: k.bucket(e.At), at: e.At}
			p.buf[bk] = append(p.buf[bk], e.Value)
		}
		if e.Metric == "temp_c" {
			p.tiles[e.Device] = Tile{Device: e.Device, Online: true, LastTemp: e.Value, At: e.At}
		}
		return nil
	case StatusChange:
		b, _ := json.Marshal(e)
		return p.store.Put(ctx, "fleet:status:last-change", b) // EXPECT kvhotkey
	case Flush:
		err := p.flush(ctx)
		if e.Done != nil {
			e.Done <- err
		}
		return err
	default:
		return nil
	}
}

// flush writes one rollup per buffered (device, metric, window) and the
// latest tile of each device seen since the last flush.
func (p *Pipeline) flush(ctx context.Context) error {
	for dev, t := range p.tiles {
		if err := p.rollups.PublishTile(ctx, t); err != nil {
			return err
		}
		delete(p.tiles, dev)
	}
	for bk, values := range p.buf {
		if err := p.rollups.Merge(ctx, bk.kind, bk.device, bk.metric, bk.at, values); err != nil {
			return err
		}
		delete(p.buf, bk)
	}
	return nil
}
