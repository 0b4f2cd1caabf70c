package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

// siteRecord is what the router reads under site:<host>.
type siteRecord struct {
	Origin     string `json:"origin"`
	Suspended  bool   `json:"suspended,omitempty"`
	Generation int64  `json:"gen"`
	Namespace  string `json:"ns"`
	Name       string `json:"name"`
}

// SiteReconciler publishes Site objects to the edge.
type SiteReconciler struct {
	client.Client
	Store *edgekv.Store
	// DefaultEdgeTTL applies when a site has no edge-ttl annotation; zero
	// publishes records that never expire.
	DefaultEdgeTTL time.Duration
}

// Reconcile implements reconcile.Reconciler.
func (r *SiteReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	logger := log.FromContext(ctx).WithValues("site", req.NamespacedName)

	var site edgev1.Site
	if err := r.Get(ctx, req.NamespacedName, &site); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	host := keys.Normalize(site.Spec.Hostname)

	if !site.DeletionTimestamp.IsZero() {
		if !controllerutil.ContainsFinalizer(&site, edgev1.Finalizer) {
			return ctrl.Result{}, nil
		}
		if err := r.unpublish(ctx, host); err != nil {
			return ctrl.Result{}, err
		}
		controllerutil.RemoveFinalizer(&site, edgev1.Finalizer)
		return ctrl.Result{}, r.Update(ctx, &site)
	}

	if controllerutil.AddFinalizer(&site, edgev1.Finalizer) {
		if err := r.Update(ctx, &site); err != nil {
			return ctrl.Result{}, err
		}
	}

	rec := siteRecord{
		Origin:     site.Spec.Origin,
		Suspended:  site.Spec.Suspended,
		Generation: site.Generation,
		Namespace:  site.Namespace,
		Name:       site.Name,
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return ctrl.Result{}, err
	}

	ttl, err := edgeTTL(&site.ObjectMeta, r.DefaultEdgeTTL)
	if err != nil {
		logger.Error(err, "ignoring malformed edge-ttl annotation")
		ttl = r.DefaultEdgeTTL
	}
	if ttl > 0 {
		err = r.Store.PutTTL(ctx, keys.Site(host), body, ttl)
	} else {
		err = r.Store.Put(ctx, keys.Site(host), body)
	}
	if err != nil {
		return ctrl.Result{}, err
	}

	if site.Spec.Suspended {
		// A short-lived marker lets the router drop its cached origin quickly
		// after a suspension is lifted.
		if err := r.Store.PutTTL(ctx, keys.Suspended(host), []byte("1"), 30*time.Second); err != nil { // EXPECT kvttl
			return ctrl.Result{}, err
		}
	}

	routes, err := r.publishRouteCount(ctx, &site, host)
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.bumpPublishes(ctx, host); err != nil {
		logger.Error(err, "recording publish statistics")
	}

	now := metav1.Now()
	site.Status.PublishedGeneration = site.Generation
	site.Status.PublishedAt = &now
	site.Status.EdgeKeys = routes + 1
	site.Status.Message = ""
	if err := r.Status().Update(ctx, &site); err != nil {
		if apierrors.IsConflict(err) {
			return ctrl.Result{Requeue: true}, nil
		}
		return ctrl.Result{}, err
	}

	if ttl > 0 {
		// Republish well before the record expires at the edge.
		return ctrl.Result{RequeueAfter: ttl / 2}, nil
	}
	return ctrl.Result{}, nil
}

// publishRouteCount lets the router short-circuit sites without routes.
func (r *SiteReconciler) publishRouteCount(ctx context.Context, site *edgev1.Site, host string) (int, error) {
	var routes edgev1.RouteList
	if err := r.List(ctx, &routes, client.InNamespace(site.Namespace), client.MatchingLabels{edgev1.LabelSite: site.Name}); err != nil {
		return 0, err
	}
	n := len(routes.Items)
	if err := r.Store.Put(ctx, keys.SiteRouteCount(host), []byte(strconv.Itoa(n))); err != nil { // DEBATABLE kvcounter
		return 0, err
	}
	return n, nil
}

// bumpPublishes keeps a per-site publish count for the dashboard.
func (r *SiteReconciler) bumpPublishes(ctx context.Context, host string) error {
	key := keys.SitePublishes(host)
	n := 0
	raw, err := r.Store.Get(ctx, key)
	switch {
	case errors.Is(err, edgekv.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("publish count %q: %w", raw, err)
		}
	}
	return r.Store.Put(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter|kvrace
}

// unpublish removes the site record and every route key under the site.
func (r *SiteReconciler) unpublish(ctx context.Context, host string) error {
	api := r.Store.API()
	resp, err := api.ListWorkersKVKeys(ctx, r.Store.Account(), cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: r.Store.NamespaceID(),
		Prefix:      keys.SiteRoutes(host),
	})
	if err != nil {
		return err
	}
	doomed := make([]string, 0, len(resp.Result)+3)
	for _, k := range resp.Result {
		doomed = append(doomed, k.Name)
	}
	doomed = append(doomed, keys.Site(host), keys.SiteRouteCount(host), keys.Suspended(host))
	return r.Store.DeleteKeys(ctx, doomed)
}

// edgeTTL reads the edge-ttl annotation, e.g. "15m".
func edgeTTL(meta *metav1.ObjectMeta, fallback time.Duration) (time.Duration, error) {
	v, ok := meta.Annotations[edgev1.AnnotationEdgeTTL]
	if !ok {
		return fallback, nil
	}
	return time.ParseDuration(v)
}

// SetupWithManager registers the reconciler.
func (r *SiteReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&edgev1.Site{}).
		Owns(&corev1.ConfigMap{}).
		WithEventFilter(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{})).
		Named("site").
		Complete(r)
}
