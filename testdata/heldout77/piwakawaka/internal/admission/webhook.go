package admission

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
)

// Webhooks serves /admission/validate and /admission/mutate for the build
// clusters, plus the endpoints operators use to inspect decisions.
type Webhooks struct {
	KV  *kvstore.Store
	Log *slog.Logger
}

const (
	policyPageSize    = 5000
	decisionRetention = 7 * 24 * time.Hour
)

var defaultPolicy = Policy{
	AllowedRegistries: []string{"ghcr.io/kereru-ci/", "registry.build.internal/"},
	RequiredLabels:    map[string]string{"ci.kereru.dev/managed": "true"},
	DenyPrivileged:    true,
}

type decision struct {
	UID       string    `json:"uid"`
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	User      string    `json:"user"`
	Allowed   bool      `json:"allowed"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

func decodeReview(w http.ResponseWriter, r *http.Request) (*AdmissionReview, *Pod, bool) {
	var review AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "malformed AdmissionReview", http.StatusBadRequest)
		return nil, nil, false
	}
	var pod Pod
	if err := json.Unmarshal(review.Request.Object, &pod); err != nil {
		http.Error(w, "object is not a Pod", http.StatusBadRequest)
		return nil, nil, false
	}
	return &review, &pod, true
}

func respond(w http.ResponseWriter, review *AdmissionReview, resp *AdmissionResponse) {
	review.Response = resp
	review.Request = nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}

func (h *Webhooks) policy(ctx context.Context, namespace string) (*Policy, error) {
	var p Policy
	err := h.KV.GetJSON(ctx, "policies/"+namespace, &p)
	if errors.Is(err, kvstore.ErrNotFound) {
		d := defaultPolicy
		return &d, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func allowedImage(p *Policy, image string) bool {
	return slices.ContainsFunc(p.AllowedRegistries, func(prefix string) bool {
		return strings.HasPrefix(image, prefix)
	})
}

// Validate rejects pods whose images come from registries the namespace's
// policy does not allow.
func (h *Webhooks) Validate(w http.ResponseWriter, r *http.Request) {
	review, pod, ok := decodeReview(w, r)
	if !ok {
		return
	}
	ctx, req := r.Context(), review.Request
	resp := &AdmissionResponse{UID: req.UID, Allowed: true}

	pol, err := h.policy(ctx, req.Namespace)
	if err != nil {
		h.Log.Error("policy lookup", "namespace", req.Namespace, "err", err)
		resp.Allowed = false
		resp.Result = &Status{Code: http.StatusServiceUnavailable, Message: "policy unavailable"}
		respond(w, review, resp)
		return
	}
	if !h.exempt(ctx, req.Namespace, pod.Metadata.Name) {
		for _, c := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
			if !allowedImage(pol, c.Image) {
				resp.Allowed = false
				resp.Result = &Status{Code: http.StatusForbidden, Message: fmt.Sprintf("image %s is not from an allowed registry", c.Image)}
				break
			}
		}
	}

	d := decision{UID: req.UID, Namespace: req.Namespace, Name: pod.Metadata.Name, User: req.UserInfo.Username, Allowed: resp.Allowed, At: time.Now().UTC()}
	if resp.Result != nil {
		d.Reason = resp.Result.Message
	}
	rec, _ := json.Marshal(d)
	if err := h.KV.PutTTL(ctx, "admission/decisions/"+req.Namespace+"/"+req.UID, rec, decisionRetention); err != nil {
		h.Log.Warn("record decision", "uid", req.UID, "err", err)
	}
	if err := h.KV.Put(ctx, "admission/last-decision", rec, nil); err != nil { // EXPECT kvhotkey
		h.Log.Warn("record last decision", "err", err)
	}
	respond(w, review, resp)
}

// Mutate adds the namespace's required labels and node selector and pins
// images to the digests recorded by the build pipeline.
func (h *Webhooks) Mutate(w http.ResponseWriter, r *http.Request) {
	review, pod, ok := decodeReview(w, r)
	if !ok {
		return
	}
	ctx, req := r.Context(), review.Request
	resp := &AdmissionResponse{UID: req.UID, Allowed: true}

	if req.Operation == "CREATE" {
		if err := h.ensureNamespacePolicy(ctx, req.Namespace); err != nil {
			resp.Warnings = append(resp.Warnings, "namespace policy not seeded: "+err.Error())
		}
	}
	pol, err := h.policy(ctx, req.Namespace)
	if err != nil {
		resp.Warnings = append(resp.Warnings, "policy unavailable, pod not mutated")
		respond(w, review, resp)
		return
	}

	var ops []PatchOp
	if pod.Metadata.Labels == nil && len(pol.RequiredLabels) > 0 {
		ops = append(ops, PatchOp{Op: "add", Path: "/metadata/labels", Value: map[string]string{}})
	}
	for k, v := range pol.RequiredLabels {
		if pod.Metadata.Labels[k] != v {
			ops = append(ops, PatchOp{Op: "add", Path: "/metadata/labels/" + strings.ReplaceAll(k, "/", "~1"), Value: v})
		}
	}
	for i, c := range pod.Spec.Containers {
		if strings.Contains(c.Image, "@sha256:") {
			continue
		}
		digest, err := h.KV.Get(ctx, "images/digests/"+url.PathEscape(c.Image))
		if err != nil {
			continue
		}
		name, _, _ := strings.Cut(c.Image, ":")
		ops = append(ops, PatchOp{Op: "replace", Path: fmt.Sprintf("/spec/containers/%d/image", i), Value: name + "@" + string(digest)})
	}

	if len(ops) > 0 {
		patch, err := json.Marshal(ops)
		if err == nil {
			pt := "JSONPatch"
			resp.Patch, resp.PatchType = patch, &pt
		}
	}
	respond(w, review, resp)
}

// ensureNamespacePolicy gives a namespace the default policy the first time
// a pod is created in it, so operators have a document to edit.
func (h *Webhooks) ensureNamespacePolicy(ctx context.Context, namespace string) error {
	key := "policies/" + namespace
	if _, err := h.KV.Get(ctx, key); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(defaultPolicy)
		return h.KV.Put(ctx, key, b, map[string]any{"seeded": true})
	}
	return nil
}

func (h *Webhooks) exempt(ctx context.Context, namespace, name string) bool {
	set := map[string]Exemption{}
	if err := h.KV.GetJSON(ctx, "exemptions/"+namespace, &set); err != nil {
		return false
	}
	ex, ok := set[name]
	return ok && ex.Until > time.Now().Unix()
}

// GrantExemption handles POST /admission/exemptions/{namespace}/{name}.
func (h *Webhooks) GrantExemption(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	namespace, name := r.PathValue("namespace"), r.PathValue("name")
	var ex Exemption
	if err := json.NewDecoder(r.Body).Decode(&ex); err != nil || ex.Reason == "" {
		http.Error(w, "exemption needs a reason", http.StatusBadRequest)
		return
	}
	ex.GrantedBy = r.Header.Get("X-Forwarded-User")

	key := "exemptions/" + namespace
	set := map[string]Exemption{}
	if err := h.KV.GetJSON(ctx, key, &set); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	set[name] = ex
	b, _ := json.Marshal(set)
	if err := h.KV.Put(ctx, key, b, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Policies handles GET /admission/policies: the namespaces that have a
// policy document.
func (h *Webhooks) Policies(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	api := h.KV.Client()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(h.KV.AccountID()),
		Prefix:    cloudflare.F("policies/"),
		Limit:     cloudflare.F(float64(policyPageSize)), // EXPECT kvlimits
	}
	var namespaces []string
	for {
		page, err := api.KV.Namespaces.Keys.List(ctx, h.KV.NamespaceID(), params) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range page.Result {
			namespaces = append(namespaces, strings.TrimPrefix(k.Name, "policies/"))
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(namespaces)
}
