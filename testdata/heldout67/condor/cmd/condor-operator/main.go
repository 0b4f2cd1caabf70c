// Command condor-operator publishes the hosting platform's routing state
// (sites, routes, redirects, maintenance windows, previews, custom domains
// and TLS state) to the Workers KV namespace read by the edge router.
package main

import (
	"context"
	"flag"
	"net"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/controller"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/janitor"
	"github.com/condor-hosting/condor/internal/tlswatch"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(edgev1.AddToScheme(scheme))
}

func main() {
	var (
		accountID      = flag.String("account-id", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
		namespaceID    = flag.String("kv-namespace-id", os.Getenv("CF_KV_NAMESPACE_ID"), "Workers KV namespace of the edge router")
		previewDomain  = flag.String("preview-domain", "previews.condor.app", "parent domain of preview hostnames")
		tlsNamespace   = flag.String("tls-namespace", "condor-tls", "namespace holding tenant certificate Secrets")
		defaultEdgeTTL = flag.Duration("default-edge-ttl", 0, "lifetime of site records without an edge-ttl annotation (0 = no expiry)")
		resyncEvery    = flag.Duration("resync-interval", 15*time.Minute, "full republish interval")
		janitorEvery   = flag.Duration("janitor-interval", 10*time.Minute, "stale key sweep interval")
		routeWorkers   = flag.Int("route-workers", 4, "concurrent route reconciles")
		leaderElect    = flag.Bool("leader-elect", true, "enable leader election")
		dumpPrefix     = flag.String("dump-keys", "", "print keys under this prefix and exit")
	)
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	setupLog := ctrl.Log.WithName("setup")

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		setupLog.Error(err, "creating Cloudflare client")
		os.Exit(1)
	}
	store := edgekv.New(api, *accountID, *namespaceID)

	ctx := ctrl.SetupSignalHandler()
	if *dumpPrefix != "" {
		if err := dumpKeys(ctx, store, *dumpPrefix); err != nil {
			setupLog.Error(err, "dumping keys")
			os.Exit(1)
		}
		return
	}
	if err := probe(ctx, store); err != nil {
		setupLog.Error(err, "KV namespace not reachable")
		os.Exit(1)
	}

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:           scheme,
		LeaderElection:   *leaderElect,
		LeaderElectionID: "condor-operator.edge.condor.dev",
	})
	if err != nil {
		setupLog.Error(err, "creating manager")
		os.Exit(1)
	}

	sites := &controller.SiteReconciler{Client: mgr.GetClient(), Store: store, DefaultEdgeTTL: *defaultEdgeTTL}
	routes := &controller.RouteReconciler{Client: mgr.GetClient(), Store: store, Concurrency: *routeWorkers}
	redirects := &controller.RedirectReconciler{Client: mgr.GetClient(), Store: store}
	setups := map[string]interface{ SetupWithManager(ctrl.Manager) error }{
		"site":         sites,
		"route":        routes,
		"redirect":     redirects,
		"maintenance":  &controller.MaintenanceReconciler{Client: mgr.GetClient(), Store: store},
		"preview":      &controller.PreviewReconciler{Client: mgr.GetClient(), Store: store, Domain: *previewDomain},
		"customdomain": &controller.CustomDomainReconciler{Client: mgr.GetClient(), Store: store, Resolver: net.DefaultResolver},
	}
	for name, r := range setups {
		if err := r.SetupWithManager(mgr); err != nil {
			setupLog.Error(err, "setting up controller", "controller", name)
			os.Exit(1)
		}
	}

	clientset, err := kubernetes.NewForConfig(mgr.GetConfig())
	if err != nil {
		setupLog.Error(err, "creating clientset")
		os.Exit(1)
	}
	must(mgr.Add(&tlswatch.Watcher{
		Client:       clientset,
		Store:        store,
		Namespace:    *tlsNamespace,
		Workers:      2,
		ResyncPeriod: 30 * time.Minute,
		RenewBefore:  30 * 24 * time.Hour,
	}))
	must(mgr.Add(&janitor.Janitor{
		Client:       mgr.GetClient(),
		Store:        store,
		Interval:     *janitorEvery,
		SweepTimeout: 2 * time.Minute,
		Log:          ctrl.Log.WithName("janitor"),
	}))
	must(mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		return bootstrap(ctx, store)
	})))
	must(mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		return resyncLoop(ctx, mgr, routes, redirects, *resyncEvery)
	})))

	setupLog.Info("starting manager")
	if err := mgr.Start(ctx); err != nil {
		setupLog.Error(err, "manager exited")
		os.Exit(1)
	}
}

// resyncLoop republishes every site's routes and redirects in bulk, which
// repairs keys that expired or were removed by hand.
func resyncLoop(ctx context.Context, mgr ctrl.Manager, routes *controller.RouteReconciler, redirects *controller.RedirectReconciler, every time.Duration) error {
	logger := ctrl.Log.WithName("resync")
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		var list edgev1.SiteList
		if err := mgr.GetClient().List(ctx, &list); err != nil {
			logger.Error(err, "listing sites")
			continue
		}
		for i := range list.Items {
			site := &list.Items[i]
			if err := routes.ResyncSite(ctx, site); err != nil {
				logger.Error(err, "resyncing routes", "site", site.Name)
			}
			if err := redirects.PublishSiteRedirects(ctx, site); err != nil {
				logger.Error(err, "resyncing redirects", "site", site.Name)
			}
		}
	}
}

func must(err error) {
	if err != nil {
		ctrl.Log.Error(err, "adding runnable")
		os.Exit(1)
	}
}
