package previewdns

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/request"
	"github.com/miekg/dns"

	"github.com/rosefinch-dev/rosefinch/internal/kvstore"
)

// PreviewKV answers queries for preview hostnames.
type PreviewKV struct {
	Next plugin.Handler

	cfg  *config
	ns   *kvstore.Namespace
	stop chan struct{}

	mu      sync.RWMutex
	warm    map[string][]net.IP
	pending map[string]int64 // queries per zone since the last flush
	totals  map[string]int64 // queries per zone flushed this hour
}

// envRecord is what the orchestrator writes for each running environment.
type envRecord struct {
	Addrs     []string  `json:"addrs"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (p *PreviewKV) Name() string { return pluginName }

func (p *PreviewKV) ServeDNS(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	state := request.Request{W: w, Req: r}
	zone := plugin.Zones(p.cfg.Zones).Matches(state.Name())
	if zone == "" {
		return plugin.NextOrFailure(p.Name(), p.Next, ctx, w, r)
	}
	p.countQuery(zone)
	host := strings.TrimSuffix(strings.ToLower(state.Name()), ".")

	var (
		answers []dns.RR
		err     error
	)
	switch state.QType() {
	case dns.TypeA:
		answers, err = p.answerA(ctx, state, host)
	case dns.TypeTXT:
		answers, err = p.answerTXT(ctx, state, host)
	default:
		return plugin.NextOrFailure(p.Name(), p.Next, ctx, w, r)
	}
	if err != nil {
		return dns.RcodeServerFailure, plugin.Error(pluginName, err)
	}
	if len(answers) == 0 {
		if p.cfg.Fallthrough {
			return plugin.NextOrFailure(p.Name(), p.Next, ctx, w, r)
		}
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeNameError)
		m.Authoritative = true
		_ = w.WriteMsg(m)
		return dns.RcodeNameError, nil
	}
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	m.Answer = answers
	_ = w.WriteMsg(m)
	return dns.RcodeSuccess, nil
}

func (p *PreviewKV) header(state request.Request, qtype uint16) dns.RR_Header {
	return dns.RR_Header{Name: state.QName(), Rrtype: qtype, Class: dns.ClassINET, Ttl: uint32(p.cfg.AnswerTTL.Seconds())}
}

// answerA serves A records from the dns:a: cache, filling it from the
// orchestrator's environment record on a miss.
func (p *PreviewKV) answerA(ctx context.Context, state request.Request, host string) ([]dns.RR, error) {
	p.mu.RLock()
	ips, ok := p.warm[host]
	p.mu.RUnlock()
	if !ok {
		var addrs []string
		err := p.ns.GetJSON(ctx, "dns:a:"+host, &addrs)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
			var rec envRecord
			if err := p.ns.GetJSON(ctx, "env:"+host, &rec); errors.Is(err, kvstore.ErrNotFound) {
				return nil, nil
			} else if err != nil {
				return nil, err
			}
			addrs = rec.Addrs
			raw, _ := json.Marshal(addrs)
			if err := p.ns.Put(ctx, "dns:a:"+host, raw, time.Until(rec.ExpiresAt)); err != nil { // EXPECT kvttl
				log.Warningf("cache %s: %v", host, err)
			}
		case err != nil:
			return nil, err
		}
		for _, a := range addrs {
			if ip := net.ParseIP(a).To4(); ip != nil {
				ips = append(ips, ip)
			}
		}
	}
	out := make([]dns.RR, 0, len(ips))
	for _, ip := range ips {
		out = append(out, &dns.A{Hdr: p.header(state, dns.TypeA), A: ip})
	}
	return out, nil
}

// answerTXT serves ACME DNS-01 challenges and the verification tokens the
// secrets engine writes for freshly claimed hostnames.
func (p *PreviewKV) answerTXT(ctx context.Context, state request.Request, host string) ([]dns.RR, error) {
	if name, ok := strings.CutPrefix(host, "_acme-challenge."); ok {
		var rec envRecord
		token, err := p.ns.Get(ctx, "acme:"+name)
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		// Keep the challenge answer for the environment's lifetime; the
		// issuer retries within minutes.
		if err := p.ns.GetJSON(ctx, "env:"+name, &rec); err == nil {
			_ = p.ns.PutCached(ctx, "acme-seen:"+name, token, time.Until(rec.ExpiresAt))
		}
		return []dns.RR{&dns.TXT{Hdr: p.header(state, dns.TypeTXT), Txt: []string{string(token)}}}, nil
	}

	res, err := p.ns.Client.KV.Namespaces.Values.Get(ctx, p.ns.ID, "verify:"+host, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.ns.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return []dns.RR{&dns.TXT{Hdr: p.header(state, dns.TypeTXT), Txt: []string{"rosefinch-verify=" + string(raw)}}}, nil
	}
	return nil, nil
}

func (p *PreviewKV) countQuery(zone string) {
	p.mu.Lock()
	p.pending[zone]++
	p.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, _ = p.ns.Incr(ctx, "stats:dns:last-minute:"+zone, 1, 2*time.Minute) // DEBATABLE kvhotkey
	}()
}

// start runs on server startup: register this instance, warm the answer
// map, and start the refresh loop.
func (p *PreviewKV) start() error {
	p.warm = map[string][]net.IP{}
	p.pending = map[string]int64{}
	p.totals = map[string]int64{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.register(ctx); err != nil {
		return err
	}
	if err := p.warmUp(ctx); err != nil {
		log.Warningf("warm-up incomplete: %v", err)
	}
	go p.refreshLoop()
	return nil
}

func instanceKey() string {
	host, _ := os.Hostname()
	return "dns:instances:" + host
}

func (p *PreviewKV) register(ctx context.Context) error {
	info, _ := json.Marshal(map[string]any{"zones": p.cfg.Zones, "seen": time.Now().UTC()})
	return p.ns.Put(ctx, instanceKey(), info, 10*time.Minute)
}

// warmUp loads every published A record so hot names never touch KV.
func (p *PreviewKV) warmUp(ctx context.Context) error {
	iter := p.ns.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, p.ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(p.ns.AccountID),
		Prefix:    cloudflare.F("dns:a:"),
	})
	warm := map[string][]net.IP{}
	for iter.Next() {
		key := iter.Current().Name
		var addrs []string
		if err := p.ns.GetJSON(ctx, key, &addrs); err != nil { // EXPECT kvlist
			continue
		}
		for _, a := range addrs {
			if ip := net.ParseIP(a).To4(); ip != nil {
				warm[strings.TrimPrefix(key, "dns:a:")] = append(warm[strings.TrimPrefix(key, "dns:a:")], ip)
			}
		}
	}
	p.mu.Lock()
	p.warm = warm
	p.mu.Unlock()
	return iter.Err()
}

func (p *PreviewKV) refreshLoop() {
	t := time.NewTicker(p.cfg.Refresh)
	defer t.Stop()
	hour := time.Now().UTC().Hour()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), p.cfg.Refresh/2)
			if err := p.register(ctx); err != nil {
				log.Warningf("register: %v", err)
			}
			if h := now.UTC().Hour(); h != hour {
				hour = h
				p.mu.Lock()
				clear(p.totals)
				p.mu.Unlock()
			}
			p.flushCounts(ctx, now)
			cancel()
		}
	}
}

// flushCounts publishes the hourly query totals per zone for the dashboard.
func (p *PreviewKV) flushCounts(ctx context.Context, now time.Time) {
	p.mu.Lock()
	snapshot := make(map[string]int64, len(p.pending))
	for zone, n := range p.pending {
		p.totals[zone] += n
		snapshot[zone] = p.totals[zone]
	}
	clear(p.pending)
	p.mu.Unlock()
	for zone, total := range snapshot {
		key := "count:dns:" + zone + ":" + now.UTC().Format("2006010215")
		if err := p.ns.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), 2*time.Hour); err != nil { // EXPECT kvcounter
			log.Warningf("flush %s: %v", zone, err)
		}
	}
}

func (p *PreviewKV) shutdown() error {
	close(p.stop)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.ns.Delete(ctx, instanceKey())
}
