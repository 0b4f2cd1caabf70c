package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

// redirectRecord is what the router reads under redir:<host><from>.
type redirectRecord struct {
	To     string `json:"to"`
	Status int    `json:"status"`
}

// maxRedirectPages bounds how much of a site's redirect space flatten reads.
const maxRedirectPages = 5

// RedirectReconciler publishes Redirect objects. Temporary redirects (302,
// 307) are published with an expiration so a forgotten campaign redirect
// does not outlive its purpose.
type RedirectReconciler struct {
	client.Client
	Store *edgekv.Store
}

// Reconcile implements reconcile.Reconciler.
func (r *RedirectReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var rd edgev1.Redirect
	if err := r.Get(ctx, req.NamespacedName, &rd); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	var site edgev1.Site
	if err := r.Get(ctx, types.NamespacedName{Namespace: req.Namespace, Name: rd.Spec.Site}, &site); err != nil {
		return ctrl.Result{RequeueAfter: 30 * time.Second}, client.IgnoreNotFound(err)
	}
	host := site.Spec.Hostname
	key := keys.Redirect(host, rd.Spec.From)

	if !rd.DeletionTimestamp.IsZero() {
		if err := r.Store.Delete(ctx, key); err != nil {
			return ctrl.Result{}, err
		}
		if controllerutil.RemoveFinalizer(&rd, edgev1.Finalizer) {
			return ctrl.Result{}, r.Update(ctx, &rd)
		}
		return ctrl.Result{}, nil
	}
	if controllerutil.AddFinalizer(&rd, edgev1.Finalizer) {
		if err := r.Update(ctx, &rd); err != nil {
			return ctrl.Result{}, err
		}
	}

	status := rd.Spec.Status
	if status == 0 {
		status = http.StatusMovedPermanently
	}
	target, err := r.flatten(ctx, host, rd.Spec.To)
	if err != nil {
		return ctrl.Result{}, err
	}
	body, _ := json.Marshal(redirectRecord{To: target, Status: status})

	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(body)}
	switch {
	case rd.Spec.TTLSeconds > 0:
		pair.ExpirationTTL = rd.Spec.TTLSeconds
	case status == http.StatusFound || status == http.StatusTemporaryRedirect:
		pair.ExpirationTTL = int(time.Hour) // EXPECT kvttl
	}
	if err := r.Store.WriteBatch(ctx, []*cloudflare.WorkersKVPair{pair}); err != nil {
		return ctrl.Result{}, err
	}
	log.FromContext(ctx).V(1).Info("published redirect", "key", key, "to", target)
	return ctrl.Result{}, nil
}

// flatten follows redirects already published for the same host so the edge
// answers with the final target in one hop.
func (r *RedirectReconciler) flatten(ctx context.Context, host, to string) (string, error) {
	if !strings.HasPrefix(to, "/") {
		return to, nil
	}
	prefix := keys.SiteRedirects(host)
	published := make(map[string]redirectRecord)
	cursor := ""
	for range maxRedirectPages {
		page, next, err := r.Store.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return "", err
		}
		for _, k := range page {
			raw, err := r.Store.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var rec redirectRecord
			if json.Unmarshal(raw, &rec) == nil {
				published[strings.TrimPrefix(k.Name, prefix)] = rec
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	seen := map[string]bool{}
	for !seen[to] {
		seen[to] = true
		next, ok := published[to]
		if !ok {
			return to, nil
		}
		to = next.To
	}
	return "", fmt.Errorf("redirect loop through %q on %s", to, host)
}

// PublishSiteRedirects writes every redirect of a site in one request. Keys
// differ per redirect, so this is a single bulk write.
func (r *RedirectReconciler) PublishSiteRedirects(ctx context.Context, site *edgev1.Site) error {
	var list edgev1.RedirectList
	if err := r.List(ctx, &list, client.InNamespace(site.Namespace)); err != nil {
		return err
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(list.Items))
	for _, rd := range list.Items {
		if rd.Spec.Site != site.Name {
			continue
		}
		body, _ := json.Marshal(redirectRecord{To: rd.Spec.To, Status: max(rd.Spec.Status, 301)})
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           keys.Redirect(site.Spec.Hostname, rd.Spec.From),
			Value:         string(body),
			ExpirationTTL: rd.Spec.TTLSeconds,
		})
	}
	return r.Store.WriteBatch(ctx, pairs)
}

// SetupWithManager registers the reconciler.
func (r *RedirectReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&edgev1.Redirect{}).
		WithEventFilter(predicate.GenerationChangedPredicate{}).
		Named("redirect").
		Complete(r)
}
