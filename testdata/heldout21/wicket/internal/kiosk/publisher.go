package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/wicket/internal/kvport"
	"example.com/wicket/internal/tally"
)

// Publisher aggregates heartbeats in memory and publishes them periodically.
type Publisher struct {
	kv     kvport.Store
	tally  tally.Counter
	beats  atomic.Int64
	faults atomic.Int64
	in     chan Beat

	mu       sync.Mutex
	timers   map[ID]*time.Timer
	latest   map[ID]Beat
	summary  *time.Timer
	debounce time.Duration
}

func NewPublisher(kv kvport.Store, t tally.Counter) *Publisher {
	return &Publisher{
		kv:       kv,
		tally:    t,
		in:       make(chan Beat, 256),
		timers:   map[ID]*time.Timer{},
		latest:   map[ID]Beat{},
		debounce: 5 * time.Second,
	}
}

// Merge fans several beat sources into one channel.
func Merge(ctx context.Context, sources ...<-chan Beat) <-chan Beat {
	out := make(chan Beat)
	var wg sync.WaitGroup
	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range src {
				select {
				case out <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	return out
}

// Offer queues a beat without blocking the request; under pressure beats
// are dropped and counted.
func (p *Publisher) Offer(b Beat) bool {
	select {
	case p.in <- b:
		return true
	default:
		p.faults.Add(1)
		return false
	}
}

// Consume drains offered beats, and any extra sources, until ctx ends.
func (p *Publisher) Consume(ctx context.Context, extra ...<-chan Beat) {
	src := Merge(ctx, append([]<-chan Beat{p.in}, extra...)...)
	for {
		select {
		case <-ctx.Done():
			return
		case b, ok := <-src:
			if !ok {
				return
			}
			p.observe(ctx, b)
		}
	}
}

func (p *Publisher) observe(ctx context.Context, b Beat) {
	p.beats.Add(1)
	if !b.Healthy() {
		p.faults.Add(1)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latest[b.Kiosk] = b
	if t, ok := p.timers[b.Kiosk]; ok {
		t.Reset(p.debounce)
	} else {
		id := b.Kiosk
		p.timers[id] = time.AfterFunc(p.debounce, func() { p.flushStatus(context.WithoutCancel(ctx), id) })
	}
	if p.summary == nil {
		p.summary = time.AfterFunc(2*time.Second, func() { p.flushSummary(context.WithoutCancel(ctx)) })
	} else {
		p.summary.Reset(2 * time.Second)
	}
}

// flushStatus writes a kiosk's last beat once it has been quiet for the
// debounce period.
func (p *Publisher) flushStatus(ctx context.Context, id ID) {
	p.mu.Lock()
	b := p.latest[id]
	delete(p.timers, id)
	p.mu.Unlock()
	raw, err := json.Marshal(b)
	if err != nil {
		return
	}
	if err := p.kv.Put(ctx, "kiosk-status:"+string(id), string(raw), kvport.TTL(15*time.Minute)); err != nil {
		log.Printf("kiosk: status %s: %v", id, err)
	}
}

// flushSummary writes the fleet health board read by the branch dashboards.
func (p *Publisher) flushSummary(ctx context.Context) {
	p.mu.Lock()
	board := make(map[ID]bool, len(p.latest))
	for id, b := range p.latest {
		board[id] = b.Healthy()
	}
	p.summary = nil
	p.mu.Unlock()
	raw, _ := json.Marshal(board)
	if err := p.kv.Put(ctx, "kiosk-fleet:board", string(raw)); err != nil { // DEBATABLE kvhotkey
		log.Printf("kiosk: board: %v", err)
	}
}

// Run publishes the in-memory counters every interval.
func (p *Publisher) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := p.publish(ctx); err != nil {
				log.Printf("kiosk: publish: %v", err)
			}
		}
	}
}

func (p *Publisher) publish(ctx context.Context) error {
	beats := p.beats.Swap(0)
	faults := p.faults.Swap(0)
	day := time.Now().UTC().Format("2006-01-02")
	if _, err := p.tally.Add(ctx, "kiosk-faults:"+day, faults); err != nil {
		return err
	}
	var total int64
	raw, err := p.kv.Get(ctx, "kiosk-beats:"+day)
	switch {
	case errors.Is(err, kvport.ErrNotFound):
	case err != nil:
		return err
	default:
		total, _ = strconv.ParseInt(raw, 10, 64)
	}
	return p.kv.Put(ctx, "kiosk-beats:"+day, strconv.FormatInt(total+beats, 10), kvport.TTL(40*24*time.Hour)) // EXPECT kvcounter
}
