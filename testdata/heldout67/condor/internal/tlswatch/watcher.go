// Package tlswatch follows certificate Secrets of every tenant with a
// client-go informer and publishes per-host and per-tenant TLS state for the
// edge router's certificate interstitial and the status page.
package tlswatch

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

// HostTLS is the certificate state of one hostname.
type HostTLS struct {
	Secret   string `json:"secret"`
	NotAfter int64  `json:"notAfter"`
	State    string `json:"state"`
}

// TenantTLS is the per-tenant summary read by the status page.
type TenantTLS struct {
	Hosts     map[string]HostTLS `json:"hosts"`
	UpdatedAt int64              `json:"updatedAt"`
}

// Watcher is a manager runnable that only runs on the elected leader.
type Watcher struct {
	Client       kubernetes.Interface
	Store        *edgekv.Store
	Namespace    string
	Workers      int
	ResyncPeriod time.Duration
	// RenewBefore is how long before expiry a certificate is due for renewal.
	RenewBefore time.Duration

	queue  workqueue.TypedRateLimitingInterface[string]
	lister corelisters.SecretLister

	mu   sync.Mutex
	gone map[string]*corev1.Secret

	resyncs int
}

// NeedLeaderElection implements manager.LeaderElectionRunnable.
func (w *Watcher) NeedLeaderElection() bool { return true }

// Start implements manager.Runnable.
func (w *Watcher) Start(ctx context.Context) error {
	logger := ctrl.LoggerFrom(ctx).WithName("tlswatch")

	factory := informers.NewSharedInformerFactoryWithOptions(w.Client, w.ResyncPeriod,
		informers.WithNamespace(w.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = edgev1.LabelTenant
			o.FieldSelector = "type=" + string(corev1.SecretTypeTLS)
		}),
	)
	secrets := factory.Core().V1().Secrets()
	w.lister = secrets.Lister()
	w.gone = make(map[string]*corev1.Secret)
	w.queue = workqueue.NewTypedRateLimitingQueueWithConfig(
		workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "tlswatch"},
	)

	_, err := secrets.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: w.enqueue,
		UpdateFunc: func(oldObj, newObj any) {
			o, n := oldObj.(*corev1.Secret), newObj.(*corev1.Secret)
			if o.ResourceVersion == n.ResourceVersion {
				return
			}
			w.enqueue(newObj)
		},
		DeleteFunc: func(obj any) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			s, ok := obj.(*corev1.Secret)
			if !ok {
				return
			}
			key, err := cache.MetaNamespaceKeyFunc(s)
			if err != nil {
				return
			}
			w.mu.Lock()
			w.gone[key] = s
			w.mu.Unlock()
			w.queue.Add(key)
		},
	})
	if err != nil {
		return err
	}

	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), secrets.Informer().HasSynced) {
		return errors.New("tlswatch: cache did not sync")
	}
	logger.Info("caches synced", "workers", w.Workers)

	for range max(w.Workers, 1) {
		go w.runWorker(ctx)
	}

	ticker := time.NewTicker(w.ResyncPeriod)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			w.queue.ShutDown()
			return nil
		case <-ticker.C:
			if err := w.resyncAll(ctx); err != nil {
				logger.Error(err, "resync")
			}
		}
	}
}

func (w *Watcher) enqueue(obj any) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	w.queue.Add(key)
}

func (w *Watcher) runWorker(ctx context.Context) {
	for w.processNext(ctx) {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := w.Store.Put(ctx, keys.TLSLastSync, stamp); err != nil { // EXPECT kvhotkey
			ctrl.LoggerFrom(ctx).Error(err, "stamping last sync")
		}
	}
}

func (w *Watcher) processNext(ctx context.Context) bool {
	key, shutdown := w.queue.Get()
	if shutdown {
		return false
	}
	defer w.queue.Done(key)

	if err := w.sync(ctx, key); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "syncing secret", "key", key)
		w.queue.AddRateLimited(key)
		return true
	}
	w.queue.Forget(key)
	return true
}

func (w *Watcher) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	secret, err := w.lister.Secrets(ns).Get(name)
	if err != nil {
		w.mu.Lock()
		old, ok := w.gone[key]
		delete(w.gone, key)
		w.mu.Unlock()
		if !ok {
			return nil
		}
		return w.handleGone(ctx, old)
	}

	cert, err := leafCertificate(secret)
	if err != nil {
		return fmt.Errorf("secret %s: %w", key, err)
	}
	tenant := secret.Labels[edgev1.LabelTenant]

	pairs := make([]*cloudflare.WorkersKVPair, 0, 2*len(cert.DNSNames))
	for _, h := range cert.DNSNames {
		body, _ := json.Marshal(HostTLS{Secret: key, NotAfter: cert.NotAfter.Unix(), State: "active"})
		pairs = append(pairs,
			&cloudflare.WorkersKVPair{
				Key:        keys.TLS(h),
				Value:      string(body),
				Expiration: int(cert.NotAfter.Unix()),
			},
			&cloudflare.WorkersKVPair{
				Key:           keys.TLSRenew(h),
				Value:         key,
				ExpirationTTL: int(time.Until(cert.NotAfter.Add(-w.RenewBefore)).Seconds()), // EXPECT kvttl
			},
		)
	}
	if err := w.Store.WriteBatch(ctx, pairs); err != nil {
		return err
	}

	return w.updateTenant(ctx, tenant, func(t *TenantTLS) {
		for _, h := range cert.DNSNames {
			t.Hosts[keys.Normalize(h)] = HostTLS{Secret: key, NotAfter: cert.NotAfter.Unix(), State: "active"}
		}
	})
}

func (w *Watcher) handleGone(ctx context.Context, s *corev1.Secret) error {
	cert, err := leafCertificate(s)
	if err != nil {
		return nil
	}
	doomed := make([]string, 0, 2*len(cert.DNSNames))
	for _, h := range cert.DNSNames {
		doomed = append(doomed, keys.TLS(h), keys.TLSRenew(h))
	}
	if err := w.Store.DeleteKeys(ctx, doomed); err != nil {
		return err
	}
	return w.updateTenant(ctx, s.Labels[edgev1.LabelTenant], func(t *TenantTLS) {
		for _, h := range cert.DNSNames {
			delete(t.Hosts, keys.Normalize(h))
		}
	})
}

// updateTenant applies fn to the tenant's TLS summary.
func (w *Watcher) updateTenant(ctx context.Context, tenant string, fn func(*TenantTLS)) error {
	if tenant == "" {
		return nil
	}
	key := keys.TLSTenant(tenant)
	raw, err := w.Store.API().GetWorkersKV(ctx, w.Store.Account(), cloudflare.GetWorkersKVParams{
		NamespaceID: w.Store.NamespaceID(),
		Key:         key,
	})
	if err != nil {
		return err
	}
	st := TenantTLS{Hosts: map[string]HostTLS{}}
	if len(raw) > 0 { // EXPECT kvnull
		if err := json.Unmarshal(raw, &st); err != nil {
			return err
		}
		if st.Hosts == nil {
			st.Hosts = map[string]HostTLS{}
		}
	}
	fn(&st)
	st.UpdatedAt = time.Now().Unix()
	out, _ := json.Marshal(st)
	return w.Store.Put(ctx, key, out) // EXPECT kvrace
}

// resyncAll walks every certificate Secret in the namespace, requeues it, and
// prunes per-host records whose Secret is gone.
func (w *Watcher) resyncAll(ctx context.Context) error {
	secrets, err := w.lister.Secrets(w.Namespace).List(labels.Everything())
	if err != nil {
		return err
	}
	live := make(map[string]bool)
	for _, s := range secrets {
		w.enqueue(s)
		if cert, err := leafCertificate(s); err == nil {
			for _, h := range cert.DNSNames {
				live[keys.TLS(h)] = true
			}
		}
	}
	if err := w.pruneStale(ctx, live); err != nil {
		return err
	}

	w.resyncs++
	return w.Store.Put(ctx, keys.TLSSyncCount, []byte(strconv.Itoa(w.resyncs))) // EXPECT kvcounter
}

func (w *Watcher) pruneStale(ctx context.Context, live map[string]bool) error {
	resp, err := w.Store.API().ListWorkersKVKeys(ctx, w.Store.Account(), cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: w.Store.NamespaceID(),
		Prefix:      keys.TLSPrefix,
		Limit:       1000,
	})
	if err != nil {
		return err
	}
	var stale []string
	for _, k := range resp.Result {
		if !live[k.Name] {
			stale = append(stale, k.Name)
		}
	}
	return w.Store.DeleteKeys(ctx, stale)
}

func leafCertificate(s *corev1.Secret) (*x509.Certificate, error) {
	block, _ := pem.Decode(s.Data[corev1.TLSCertKey])
	if block == nil {
		return nil, errors.New("no PEM certificate in tls.crt")
	}
	return x509.ParseCertificate(block.Bytes)
}
