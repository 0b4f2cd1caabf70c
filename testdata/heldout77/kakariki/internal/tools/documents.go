package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/kakariki-ai/kakariki/internal/cache"
	"github.com/kakariki-ai/kakariki/internal/kvstore"
)

// Document is a user-uploaded text.
type Document struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Documents lets the model search and read the user's documents.
type Documents struct {
	KV     *kvstore.Store
	UserID string
	Emb    *cache.Embeddings
}

type documentArgs struct {
	Action string `json:"action"`
	Query  string `json:"query"`
	ID     string `json:"id"`
	TopK   int    `json:"top_k"`
}

func (d *Documents) Name() string        { return "documents" }
func (d *Documents) Description() string { return "Search or read the user's uploaded documents." }
func (d *Documents) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{"action":{"enum":["search","read"]},"query":{"type":"string"},"id":{"type":"string"},"top_k":{"type":"integer"}},"required":["action"]}`)
}

func (d *Documents) prefix() string { return "doc:" + d.UserID + ":" }

// Call implements Tool.
func (d *Documents) Call(ctx context.Context, raw json.RawMessage) (string, error) {
	args, err := decode[documentArgs](raw)
	if err != nil {
		return "", err
	}
	switch args.Action {
	case "read":
		var doc Document
		if err := d.KV.GetJSON(ctx, d.prefix()+args.ID, &doc); err != nil {
			if errors.Is(err, kvstore.ErrNotFound) {
				return "No such document.", nil
			}
			return "", err
		}
		return doc.Title + "\n\n" + doc.Body, nil
	case "search":
		return d.search(ctx, args.Query, max(1, min(args.TopK, 5)))
	}
	return "", fmt.Errorf("unknown action %q", args.Action)
}

func (d *Documents) search(ctx context.Context, query string, k int) (string, error) {
	var docs []Document
	it := d.KV.Keys(ctx, d.prefix()) // EXPECT kvlist
	for it.Next() {
		key := it.Current()
		raw, err := d.KV.Get(ctx, key.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var doc Document
		if json.Unmarshal(raw, &doc) == nil {
			docs = append(docs, doc)
		}
	}
	if err := it.Err(); err != nil {
		return "", err
	}
	if len(docs) == 0 {
		return "The user has no documents.", nil
	}
	inputs := []string{query}
	for _, doc := range docs {
		inputs = append(inputs, doc.Title+"\n"+firstChars(doc.Body, 2000))
	}
	vecs, err := d.Emb.Vectors(ctx, inputs)
	if err != nil {
		return "", err
	}
	type scored struct {
		doc   Document
		score float64
	}
	ranked := make([]scored, len(docs))
	for i, doc := range docs {
		ranked[i] = scored{doc, cosine(vecs[0], vecs[i+1])}
	}
	slices.SortFunc(ranked, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	var b strings.Builder
	for _, r := range ranked[:min(k, len(ranked))] {
		fmt.Fprintf(&b, "%s (%s): %s\n", r.doc.Title, r.doc.ID, firstChars(r.doc.Body, 240))
	}
	return b.String(), nil
}

func firstChars(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range min(len(a), len(b)) {
		dot += float64(a[i] * b[i])
		na += float64(a[i] * a[i])
		nb += float64(b[i] * b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / (math.Sqrt(na) * math.Sqrt(nb))
}
