//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/takahe-iot/takahe/internal/async"
)

type manifestDoc struct {
	Model    string `json:"model"`
	Version  string `json:"version"`
	ImageURL string `json:"image_url"`
	SHA256   string `json:"sha256"`
	Rollout  string `json:"rollout"`
}

const maxVersionPages = 5

func manifest(w http.ResponseWriter, r *http.Request) {
	ns := open(w)
	if ns == nil {
		return
	}
	model, channel := r.PathValue("model"), r.PathValue("channel")
	key := "manifest/" + model + "/" + channel

	current := async.Go(func() (string, error) {
		return ns.GetString(key, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	})
	target := async.Go(func() (string, error) {
		return ns.GetString("rollout/target/"+r.Header.Get("X-Device-ID"), &kv.GetOptions{CacheTTL: 600})
	})
	body, err := current.Await(r.Context())
	if err != nil {
		http.Error(w, "manifest unavailable", http.StatusBadGateway)
		return
	}
	if body == null {
		http.NotFound(w, r)
		return
	}
	if want, err := target.Await(r.Context()); err == nil && want != null && channel == "beta" {
		staged, err := ns.GetString(key+"/staged", nil) // EXPECT kvnull
		if err == nil {
			var m manifestDoc
			if json.Unmarshal([]byte(staged), &m) == nil && m.Version == want {
				body = staged
			}
		}
	}
	_ = ns.PutString("edge/stats/manifest-served", model+"/"+channel+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=60")
	_, _ = w.Write([]byte(body))
}

// versions lists the firmware versions published for a model.
func versions(w http.ResponseWriter, r *http.Request) {
	ns := open(w)
	if ns == nil {
		return
	}
	prefix := "firmware/" + r.PathValue("model") + "/"
	var out []string
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	for page := 0; page < maxVersionPages; page++ {
		res, err := ns.List(opts)
		if err != nil {
			http.Error(w, "list failed", http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func listChannels(w http.ResponseWriter, r *http.Request) {
	ns := open(w)
	if ns == nil {
		return
	}
	out, err := channels(ns, r.PathValue("model"))
	if err != nil {
		http.Error(w, "list failed", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// channels lists the channels that have a manifest for model.
func channels(ns *kv.Namespace, model string) ([]string, error) {
	prefix := "manifest/" + model + "/"
	var out []string
	opts := &kv.ListOptions{
		Prefix: prefix,
		Limit:  5000, // EXPECT kvlimits
	}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if name := strings.TrimPrefix(k.Name, prefix); !strings.Contains(name, "/") {
				out = append(out, name)
			}
		}
		opts.Cursor = res.Cursor
	}
	return out, nil
}
