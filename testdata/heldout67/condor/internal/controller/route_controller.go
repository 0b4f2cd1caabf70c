package controller

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

// routeRecord is what the router reads under route:<host><prefix>.
type routeRecord struct {
	Upstream string            `json:"upstream"`
	Headers  map[string]string `json:"headers,omitempty"`
	Weight   int               `json:"weight,omitempty"`
	Route    string            `json:"route"`
}

// RouteReconciler publishes Route objects.
type RouteReconciler struct {
	client.Client
	Store       *edgekv.Store
	Concurrency int

	mu       sync.Mutex
	failures map[types.NamespacedName]int
}

// Reconcile implements reconcile.Reconciler.
func (r *RouteReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, err error) {
	logger := log.FromContext(ctx).WithValues("route", req.NamespacedName)
	defer func() {
		if err != nil {
			r.recordFailure(ctx, req.NamespacedName)
		} else {
			r.clearFailures(req.NamespacedName)
		}
	}()

	var route edgev1.Route
	if err := r.Get(ctx, req.NamespacedName, &route); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	var site edgev1.Site
	siteName := types.NamespacedName{Namespace: req.Namespace, Name: route.Spec.Site}
	if err := r.Get(ctx, siteName, &site); err != nil {
		// The site may not be created yet; routes are often applied first.
		logger.V(1).Info("site not found, retrying", "site", siteName)
		return ctrl.Result{RequeueAfter: 20 * time.Second}, client.IgnoreNotFound(err)
	}
	host := site.Spec.Hostname
	edgeKey := keys.Route(host, route.Spec.PathPrefix)
	indexKey := keys.RouteIndex(req.Namespace, route.Spec.Site)

	if !route.DeletionTimestamp.IsZero() {
		if controllerutil.ContainsFinalizer(&route, edgev1.Finalizer) {
			if err := r.Store.Delete(ctx, edgeKey); err != nil {
				return ctrl.Result{}, err
			}
			if err := r.removeFromIndex(ctx, indexKey, route.Name); err != nil {
				return ctrl.Result{}, err
			}
			controllerutil.RemoveFinalizer(&route, edgev1.Finalizer)
			return ctrl.Result{}, r.Update(ctx, &route)
		}
		return ctrl.Result{}, nil
	}
	if controllerutil.AddFinalizer(&route, edgev1.Finalizer) {
		if err := r.Update(ctx, &route); err != nil {
			return ctrl.Result{}, err
		}
	}

	body, err := json.Marshal(routeRecord{
		Upstream: route.Spec.Upstream,
		Headers:  route.Spec.Headers,
		Weight:   route.Spec.Weight,
		Route:    req.String(),
	})
	if err != nil {
		return ctrl.Result{}, err
	}
	ttl, err := edgeTTL(&route.ObjectMeta, 0)
	if err != nil {
		return ctrl.Result{}, err
	}
	if ttl > 0 {
		err = r.Store.PutCached(ctx, edgeKey, body, ttl)
	} else {
		err = r.Store.Put(ctx, edgeKey, body)
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.addToIndex(ctx, indexKey, route.Name); err != nil {
		return ctrl.Result{}, err
	}

	if !route.Status.Published || route.Status.EdgeKey != edgeKey {
		route.Status.Published = true
		route.Status.EdgeKey = edgeKey
		if err := r.Status().Update(ctx, &route); err != nil {
			return ctrl.Result{}, err
		}
	}
	return ctrl.Result{}, nil
}

// addToIndex records a route name in the site's route index, which the
// dashboard uses to show what is live at the edge.
func (r *RouteReconciler) addToIndex(ctx context.Context, indexKey, name string) error {
	var names []string
	raw, err := r.Store.Get(ctx, indexKey)
	if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &names); err != nil {
			return err
		}
	}
	if slices.Contains(names, name) {
		return nil
	}
	names = append(names, name)
	slices.Sort(names)
	out, _ := json.Marshal(names)
	return r.Store.Put(ctx, indexKey, out) // EXPECT kvrace
}

func (r *RouteReconciler) removeFromIndex(ctx context.Context, indexKey, name string) error {
	raw, err := r.Store.Get(ctx, indexKey)
	if errors.Is(err, edgekv.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		return err
	}
	names = slices.DeleteFunc(names, func(n string) bool { return n == name })
	out, _ := json.Marshal(names)
	return r.Store.Put(ctx, indexKey, out) // EXPECT kvrace
}

// recordFailure publishes how often a route failed to publish in a row, so
// the dashboard can surface stuck routes without cluster access.
func (r *RouteReconciler) recordFailure(ctx context.Context, nn types.NamespacedName) {
	r.mu.Lock()
	if r.failures == nil {
		r.failures = make(map[types.NamespacedName]int)
	}
	r.failures[nn]++
	n := r.failures[nn]
	r.mu.Unlock()

	key := keys.ReconcileAttempts(nn.Namespace, nn.Name)
	if err := r.Store.PutCached(ctx, key, []byte(strconv.Itoa(n)), time.Hour); err != nil { // EXPECT kvcounter
		log.FromContext(ctx).Error(err, "recording failure count")
	}
}

func (r *RouteReconciler) clearFailures(nn types.NamespacedName) {
	r.mu.Lock()
	delete(r.failures, nn)
	r.mu.Unlock()
}

// ResyncSite republishes every route of a site in one bulk write and rebuilds
// the site's route manifest. It is run periodically by the resync runnable.
func (r *RouteReconciler) ResyncSite(ctx context.Context, site *edgev1.Site) error {
	var routes edgev1.RouteList
	if err := r.List(ctx, &routes, client.InNamespace(site.Namespace)); err != nil {
		return err
	}
	host := site.Spec.Hostname
	manifestKey := "routes-manifest:" + keys.Normalize(host)

	pairs := make([]*cloudflare.WorkersKVPair, 0, len(routes.Items))
	manifest := make([]string, 0, len(routes.Items))
	for i := range routes.Items {
		rt := &routes.Items[i]
		if rt.Spec.Site != site.Name || !rt.DeletionTimestamp.IsZero() {
			continue
		}
		body, err := json.Marshal(routeRecord{
			Upstream: rt.Spec.Upstream,
			Headers:  rt.Spec.Headers,
			Weight:   rt.Spec.Weight,
			Route:    client.ObjectKeyFromObject(rt).String(),
		})
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: keys.Route(host, rt.Spec.PathPrefix), Value: string(body)})

		manifest = append(manifest, rt.Spec.PathPrefix)
		out, _ := json.Marshal(manifest)
		if err := r.Store.Put(ctx, manifestKey, out); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return r.Store.WriteBatch(ctx, pairs)
}

// SetupWithManager registers the reconciler.
func (r *RouteReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&edgev1.Route{}).
		WithEventFilter(predicate.GenerationChangedPredicate{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(r.Concurrency, 1)}).
		Named("route").
		Complete(r)
}
