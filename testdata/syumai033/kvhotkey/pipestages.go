package kvhotkey

import (
	"context"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/pipes"
)

type streamed struct {
	Device string
	Value  float64
}

// A stage of a stream writes the same key for every reading of a batch.
func ingestStream(ns *kv.Namespace, device string, batch []streamed) { // want ingestStream:"kvhotkey"
	seen := pipes.Via(pipes.FromSlice(batch), pipes.Map(func(_ context.Context, r streamed) (streamed, error) {
		return r, ns.PutString("lastseen:"+device, strconv.FormatFloat(r.Value, 'f', -1, 64), nil) // want `writes the same KV key on every iteration`
	}))
	pipes.To(seen, func(_ context.Context, r streamed) error {
		return ns.PutString("stats:latest", r.Device, nil) // want `writes the same KV key on every iteration`
	})
}

// Quiet: a key per element, and a write once at the end.
func ingestStreamEach(ns *kv.Namespace, batch []streamed) func() {
	pipes.To(pipes.FromSlice(batch), func(_ context.Context, r streamed) error {
		return ns.PutString("reading:"+r.Device, strconv.FormatFloat(r.Value, 'f', -1, 64), nil)
	})
	return pipes.OnClose(func() {
		_ = ns.PutString("stats:closed", "1", nil)
	})
}

type streamProgress struct{ ns *kv.Namespace }

// A method handed to a stream's sink as a value is called once per
// element: its fixed key is written each time.
func (p *streamProgress) mark(_ context.Context, r streamed) error { // want mark:"kvhotkey"
	if err := p.ns.PutString("progress:"+r.Device, "1", nil); err != nil {
		return err
	}
	if err := p.ns.PutString("progress:newest", r.Device, nil); err != nil { // want `writes the same KV key on every iteration`
		return err
	}
	return p.notify(r)
}

func (p *streamProgress) notify(streamed) error { return nil }

// Quiet: kept to run once, when the stream ends.
func (p *streamProgress) closed() { _ = p.ns.PutString("progress:closed", "1", nil) }

func trackStream(ns *kv.Namespace, batch []streamed) func() {
	p := &streamProgress{ns: ns}
	pipes.To(pipes.FromSlice(batch), p.mark)
	return pipes.OnClose(p.closed)
}
