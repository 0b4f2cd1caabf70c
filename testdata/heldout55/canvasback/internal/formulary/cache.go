//go:build js && wasm

// Package formulary serves the clinic formulary (covered drugs, tiers, prior
// authorisation flags) from KV at the edge, filling from the formulary origin.
package formulary

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/edgekv"
	"github.com/canvasback/telehealth/internal/httpx"
)

// Store is the FORMULARY binding; main sets it.
var Store *edgekv.Namespace

// fetchOrigin loads one drug from the formulary service.
var fetchOrigin = func(ctx context.Context, origin, ndc string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+"/v1/drugs/"+ndc, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, httpx.Error(http.StatusNotFound, "drug not on formulary")
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("formulary origin: %s", res.Status)
	}
	return io.ReadAll(io.LimitReader(res.Body, 256<<10))
}

var servedSinceFlush atomic.Int64

// Drug is one formulary entry.
type Drug struct {
	NDC       string `json:"ndc"`
	Name      string `json:"name"`
	Class     string `json:"class"`
	Tier      int    `json:"tier"`
	PriorAuth bool   `json:"prior_auth"`
}

func drugKey(ndc string) string { return "drug:" + ndc }

type LookupReq struct {
	NDC string `json:"ndc"`
}

// Lookup returns a formulary entry, reading through to the origin.
func Lookup(ctx context.Context, req LookupReq) (Drug, error) {
	cfg := config.Current()
	var d Drug
	raw, err := Store.GetString(drugKey(req.NDC), &edgekv.GetOptions{CacheTTL: 300})
	if err != nil {
		return d, err
	}
	if raw == edgekv.Null {
		body, err := fetchOrigin(ctx, cfg.Formulary.Origin, req.NDC)
		if err != nil {
			return d, err
		}
		raw = string(body)
		if err := Store.PutString(drugKey(req.NDC), raw, &edgekv.PutOptions{ExpirationTTL: int(cfg.Formulary.EntryTTL)}); err != nil {
			return d, err
		}
	}
	if cfg.Features.ViewTracking {
		trackView(ctx, req.NDC)
	}
	return d, json.Unmarshal([]byte(raw), &d)
}

// Suggest backs the prescriber autocomplete; it favours freshness.
func Suggest(ctx context.Context, req LookupReq) (Drug, error) {
	var d Drug
	raw, err := Store.GetString(drugKey(req.NDC), &edgekv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || raw == edgekv.Null {
		return d, err
	}
	return d, json.Unmarshal([]byte(raw), &d)
}

// Tier returns only the cost tier, cached at the edge per configuration.
func Tier(ctx context.Context, req LookupReq) (int, error) {
	cfg := config.Current()
	opts := &edgekv.GetOptions{CacheTTL: int(cfg.Formulary.EdgeCache.Duration)} // EXPECT kvttl
	raw, err := Store.GetString(drugKey(req.NDC), opts)
	if err != nil {
		return 0, err
	}
	if raw == edgekv.Null {
		return 0, httpx.Error(http.StatusNotFound, "drug not cached")
	}
	var d Drug
	err = json.Unmarshal([]byte(raw), &d)
	return d.Tier, err
}

func trackView(ctx context.Context, ndc string) {
	httpx.Go(ctx, "formulary-view", func(context.Context) {
		key := "views:" + ndc
		v, _, err := Store.Lookup(key)
		if err != nil {
			return
		}
		n, _ := strconv.Atoi(v)
		_ = Store.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	})
	if servedSinceFlush.Add(1)%100 == 0 {
		total := servedSinceFlush.Load()
		httpx.Go(ctx, "formulary-flush", func(context.Context) {
			_ = Store.PutString("stats:served", strconv.FormatInt(total, 10), nil) // EXPECT kvcounter
		})
	}
}

type ClassReq struct {
	Class string `json:"class"`
}

type ClassResp struct {
	Drugs []Drug `json:"drugs"`
}

// ByClass lists the formulary entries in a therapeutic class.
func ByClass(ctx context.Context, req ClassReq) (ClassResp, error) {
	var out ClassResp
	res, err := Store.List(&edgekv.ListOpts{ // EXPECT kvlist
		Prefix: "class:" + req.Class + ":",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return out, err
	}
	for _, k := range res.Keys {
		raw, err := Store.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		var d Drug
		if raw != edgekv.Null && json.Unmarshal([]byte(raw), &d) == nil {
			out.Drugs = append(out.Drugs, d)
		}
	}
	return out, nil
}

type PageReq struct {
	Class  string `json:"class"`
	Cursor string `json:"cursor"`
}

type PageResp struct {
	NDCs   []string `json:"ndcs"`
	Cursor string   `json:"cursor,omitempty"`
	Done   bool     `json:"done"`
}

// Page returns one page of NDCs in a class; the client follows Cursor.
func Page(ctx context.Context, req PageReq) (PageResp, error) {
	prefix := "class:" + req.Class + ":"
	res, err := Store.List(&edgekv.ListOpts{Prefix: prefix, Cursor: req.Cursor, Limit: 250})
	if err != nil {
		return PageResp{}, err
	}
	out := PageResp{Cursor: res.Cursor, Done: res.ListComplete}
	for _, k := range res.Keys {
		out.NDCs = append(out.NDCs, k.Name[len(prefix):])
	}
	return out, nil
}

type ClassesResp struct {
	Classes []string `json:"classes"`
}

// Classes lists every therapeutic class that has a manifest.
func Classes(ctx context.Context, _ httpx.Empty) (ClassesResp, error) {
	var out ClassesResp
	cursor := ""
	for {
		res, err := Store.List(&edgekv.ListOpts{Prefix: "manifest:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			out.Classes = append(out.Classes, k.Name[len("manifest:"):])
		}
		cursor = res.Cursor
	}
	return out, nil
}

type WarmReq struct {
	Drugs []Drug `json:"drugs"`
}

type WarmResp struct {
	Written int               `json:"written"`
	Errors  map[string]string `json:"errors,omitempty"`
}

// Warm pre-populates entries pushed from the formulary service on publish.
func Warm(ctx context.Context, req WarmReq) (WarmResp, error) {
	cfg := config.Current()
	out := WarmResp{Errors: map[string]string{}}
	deadline := time.Now().Add(20 * time.Second)
	for _, d := range req.Drugs {
		if time.Now().After(deadline) {
			out.Errors[d.NDC] = "skipped: deadline"
			continue
		}
		b, err := json.Marshal(d)
		if err == nil {
			err = Store.PutCache(drugKey(d.NDC), string(b), cfg.Formulary.EntryTTL.Duration())
		}
		if err != nil {
			out.Errors[d.NDC] = err.Error()
			continue
		}
		out.Written++
		_ = Store.PutString("warm:last-ndc", d.NDC, nil) // EXPECT kvhotkey
	}
	return out, nil
}
