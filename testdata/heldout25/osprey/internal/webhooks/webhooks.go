// Package webhooks receives build and push notifications from the git host
// and the CI provider.
package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/osprey/internal/builds"
	"example.com/osprey/internal/domain"
)

// Receiver handles inbound webhooks.
type Receiver struct {
	api     *cloudflare.API
	rc      *cloudflare.ResourceContainer
	ns      string
	builds  builds.Tracker
	secrets map[string]string
}

// NewReceiver returns a Receiver writing receipts to the namespace ns.
func NewReceiver(api *cloudflare.API, accountID, ns string, t builds.Tracker, secrets map[string]string) *Receiver {
	return &Receiver{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: ns, builds: t, secrets: secrets}
}

func notFound(err error) bool {
	var nf *cloudflare.NotFoundError
	var nfv cloudflare.NotFoundError
	return errors.As(err, &nf) || errors.As(err, &nfv)
}

func (r *Receiver) put(ctx context.Context, key string, v []byte) error {
	_, err := r.api.WriteWorkersKVEntry(ctx, r.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: r.ns, Key: key, Value: v})
	return err
}

type ciEvent struct {
	Delivery string       `json:"delivery"`
	Build    domain.Build `json:"build"`
	Sender   struct {
		Login string `json:"login"`
	} `json:"sender"`
}

// CI handles POST /v1/webhooks/ci.
func (r *Receiver) CI(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	var ev ciEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.Delivery == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	receipt := fmt.Sprintf("receipts/ci/%s", ev.Delivery)
	_, err = r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{NamespaceID: r.ns, Key: receipt})
	if err == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	if !notFound(err) {
		http.Error(w, "receipt lookup failed", http.StatusBadGateway)
		return
	}
	if err := r.builds.Record(ctx, ev.Build); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	_, err = r.api.WriteWorkersKVEntries(ctx, r.rc, cloudflare.WriteWorkersKVEntriesParams{ // DEBATABLE kvrace
		NamespaceID: r.ns,
		KVs:         []*cloudflare.WorkersKVPair{{Key: receipt, Value: string(stamp), ExpirationTTL: 24 * 3600}},
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = r.put(ctx, "webhooks/last-delivery", stamp) // EXPECT kvhotkey
	go func() {
		_ = r.countHit(context.WithoutCancel(ctx), "ci")
	}()
	w.WriteHeader(http.StatusAccepted)
}

func (r *Receiver) countHit(ctx context.Context, provider string) error {
	key := "webhooks:hits:" + provider
	b, err := r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{NamespaceID: r.ns, Key: key})
	if err != nil && !notFound(err) {
		return err
	}
	n, _ := strconv.Atoi(string(b))
	return r.put(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}

type pushEvent struct {
	Delivery string `json:"delivery"`
	Project  string `json:"project"`
	Branch   string `json:"branch"`
}

// AutoDeploy are a project's automatic deploy settings.
type AutoDeploy struct {
	Enabled bool     `json:"enabled"`
	Branch  string   `json:"branch"`
	Envs    []string `json:"envs"`
}

// Push handles POST /v1/webhooks/push/{project}.
func (r *Receiver) Push(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	project := req.PathValue("project")
	var ev pushEvent
	if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&ev); err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	key := fmt.Sprintf("projects/%s/autodeploy", project)
	var ad AutoDeploy
	b, err := r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{NamespaceID: r.ns, Key: key}) // EXPECT kvnull
	if err != nil {
		ad = AutoDeploy{Enabled: false, Branch: "main"}
		out, _ := json.Marshal(ad)
		if err := r.put(ctx, key, out); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	} else if err := json.Unmarshal(b, &ad); err != nil {
		http.Error(w, "corrupt settings", http.StatusInternalServerError)
		return
	}
	if !ad.Enabled || ad.Branch != ev.Branch {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// One marker per push, keyed by delivery id.
	marker := fmt.Sprintf("deploy-requests/%s/%s", project, ev.Delivery)
	if err := r.put(ctx, marker, []byte(ev.Branch)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
