// Package cache holds the response and embedding caches. Both are keyed by a
// hash of the model name and the exact input so that a model upgrade never
// serves a stale answer.
package cache

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
	"github.com/kakariki-ai/kakariki/internal/llm"
)

const (
	embeddingTTL = 30 * 24 * time.Hour
	negativeTTL  = 20 * time.Second
	bulkGetMax   = 100
)

func digest(model string, parts ...[]byte) string {
	h := sha256.New()
	h.Write([]byte(model))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Responses caches whole completions for deterministic (temperature 0)
// requests.
type Responses struct {
	KV  *kvstore.Store
	TTL time.Duration
}

// Key returns the cache key of a request.
func (c *Responses) Key(req llm.Request) string {
	msgs, _ := json.Marshal(req.Messages)
	return "resp:" + digest(req.Model, msgs)
}

// Lookup returns a cached completion for req.
func (c *Responses) Lookup(ctx context.Context, req llm.Request) (*llm.Completion, bool, error) {
	if req.Temperature > 0 {
		return nil, false, nil
	}
	key := c.Key(req)
	raw, err := c.KV.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var comp llm.Completion
	if err := json.Unmarshal(raw, &comp); err != nil {
		return nil, false, nil
	}
	go c.recordHit(context.WithoutCancel(ctx), key)
	return &comp, true, nil
}

// Refused reports whether the same request was refused recently.
func (c *Responses) Refused(ctx context.Context, req llm.Request) (string, bool) {
	raw, err := c.KV.Get(ctx, "neg:"+c.Key(req))
	if err != nil {
		return "", false
	}
	return string(raw), true
}

// Store saves a completion. Refusals are remembered briefly so a user hammering
// the same prompt does not burn tokens.
func (c *Responses) Store(ctx context.Context, req llm.Request, comp *llm.Completion) error {
	key := c.Key(req)
	if comp.FinishReason == "content_filter" {
		return c.KV.Put(ctx, "neg:"+key, []byte(comp.Message.Content), negativeTTL) // EXPECT kvttl
	}
	if req.Temperature > 0 || len(comp.Message.ToolCalls) > 0 {
		return nil
	}
	raw, err := json.Marshal(comp)
	if err != nil {
		return err
	}
	return c.KV.Put(ctx, key, raw, c.TTL)
}

func (c *Responses) recordHit(ctx context.Context, key string) {
	hitsKey := "hits:" + key
	n := 0
	if raw, err := c.KV.Get(ctx, hitsKey); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	_ = c.KV.Put(ctx, hitsKey, []byte(strconv.Itoa(n+1)), c.TTL) // EXPECT kvcounter|kvrace
}

// Embeddings is a read-through cache of embedding vectors.
type Embeddings struct {
	KV     *kvstore.Store
	Client llm.Client
	Model  string
}

func (e *Embeddings) key(input string) string {
	return "emb:" + digest(e.Model, []byte(input))
}

// Vectors returns one vector per input, computing and storing the misses.
func (e *Embeddings) Vectors(ctx context.Context, inputs []string) ([][]float32, error) {
	out := make([][]float32, len(inputs))
	var missing []int
	for start := 0; start < len(inputs); start += bulkGetMax {
		end := min(start+bulkGetMax, len(inputs))
		keys := make([]string, 0, end-start)
		for _, in := range inputs[start:end] {
			keys = append(keys, e.key(in))
		}
		found, err := e.KV.BulkGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		for i, k := range keys {
			if v, ok := found[k]; ok {
				if vec, err := decodeVector(v); err == nil {
					out[start+i] = vec
					continue
				}
			}
			missing = append(missing, start+i)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	texts := make([]string, len(missing))
	for i, idx := range missing {
		texts[i] = inputs[idx]
	}
	vecs, err := e.Client.Embed(ctx, e.Model, texts)
	if err != nil {
		return nil, err
	}
	entries := make([]kvstore.Entry, len(missing))
	for i, idx := range missing {
		out[idx] = vecs[i]
		entries[i] = kvstore.Entry{Key: e.key(inputs[idx]), Value: encodeVector(vecs[i]), TTL: embeddingTTL}
	}
	return out, e.KV.BulkPut(ctx, entries)
}

func encodeVector(v []float32) string {
	buf := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(buf)
}

func decodeVector(s string) ([]float32, error) {
	buf, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(buf)%4 != 0 {
		return nil, errors.New("cache: truncated vector")
	}
	v := make([]float32, len(buf)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
	}
	return v, nil
}
