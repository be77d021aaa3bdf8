//! The discrete-event engine: a priority queue of timed events driving
//! arrivals, client proxies (breakers, load balancing, retries, timeouts,
//! outlier detection), and endpoints as queues with `concurrency` servers.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

use super::cluster::{HashKey, Lb, ProxyCluster};
use super::flags::Flags;
use super::model::{Change, ClassOutcome, Model, PodBehaviour, RouteSpec, Stop};
use super::outlier::{self, Observation};
use super::retry::TryResult;
use super::scenario::Arrival;
use super::stats::{Ejection, Overflow, SimResult, Stats, is_success};
use super::trace::{Hop, NO_POD, Path};
use crate::route::split;

const NANOS_PER_SECOND: f64 = 1e9;
/// Hosts remembered for the previous-hosts retry predicate.
const TRIED_HOSTS: usize = 8;
/// How often (in events) the progress callback is called.
const PROGRESS_EVERY: u64 = 1 << 16;
/// No job or parent.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Arrival {
        stream: u32,
        epoch: u32,
    },
    /// The request leaves the fault filter and reaches the router.
    Begin {
        req: u32,
        era: u32,
    },
    /// A retry's back-off is over.
    Retry {
        req: u32,
        era: u32,
    },
    PodDone {
        pod: u32,
        req: u32,
        era: u32,
        attempt: u16,
        status: u16,
    },
    /// A job's calls and service time are over: it answers.
    JobDone {
        job: u32,
        era: u32,
        status: u16,
    },
    PerTryTimeout {
        req: u32,
        era: u32,
        attempt: u16,
    },
    RouteTimeout {
        req: u32,
        era: u32,
    },
    OutlierTick {
        proxy: u32,
    },
    Change {
        index: u32,
    },
}

#[derive(Debug, Clone, Copy)]
struct Event {
    at: u64,
    seq: u64,
    kind: Kind,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Waiting for a connection to `host`.
    Pending,
    /// On a connection to `host`, at the endpoint.
    Active,
}

/// A request in flight (slot reused; `era` tells stale events apart).
#[derive(Debug, Clone)]
struct Req {
    era: u32,
    class: u32,
    client: u32,
    cluster: u32,
    proxy: u32,
    hash: HashKey,
    arrived: u64,
    flags: Flags,
    attempt: u16,
    phase: Phase,
    host: u32,
    /// The connection of the current try, while it is active.
    conn: u32,
    retry_held: bool,
    tried: [u32; TRIED_HOSTS],
    mirror: bool,
    /// For a call: the job that made it, the job's era and the call's index
    /// in the job's current step; `parent` is [`NONE`] for entry requests.
    parent: u32,
    parent_era: u32,
    call: u16,
    /// The job serving the current try, at an endpoint that calls or
    /// honours cancellation.
    job: u32,
}

/// A request being served at an endpoint that calls other services (or
/// stops its work when the caller resets): its calls step by step, then
/// its service time (slot reused; `era` tells stale events apart).
struct Job {
    era: u32,
    pod: u32,
    /// The try it serves.
    req: u32,
    req_era: u32,
    attempt: u16,
    /// The next step of the pod's plan.
    step: u16,
    /// Calls of the current step still running.
    outstanding: u16,
    /// What the request answers because a call failed (0: nothing failed).
    failed: u16,
    /// The requests of the calls still running.
    children: Vec<u32>,
    /// The call chain that explains the answer best so far.
    slowest: Path,
}

struct Pod {
    busy: u32,
    queue: VecDeque<(u32, u32, u16)>,
    behaviour: PodBehaviour,
}

struct StreamState {
    rate: f64,
    epoch: u32,
    /// Bursty streams: time spent in "on" periods so far.
    on_time: f64,
    open: bool,
}

/// One simulation run.
pub struct Engine<'m> {
    m: &'m Model,
    rng: Pcg64Mcg,
    now: u64,
    seq: u64,
    heap: BinaryHeap<Reverse<Event>>,
    /// Timeouts, one FIFO per duration: their deadlines arrive in order, and
    /// most are cancelled, so they stay out of the heap and stale ones are
    /// dropped from the front.
    timers: Vec<(u64, VecDeque<Event>)>,
    reqs: Vec<Req>,
    /// By request slot, the call chain behind its current answer; empty
    /// unless the run keeps paths (services call services).
    paths: Vec<Path>,
    free: Vec<u32>,
    jobs: Vec<Job>,
    free_jobs: Vec<u32>,
    inflight: u64,
    pods: Vec<Pod>,
    proxies: Vec<Option<ProxyCluster>>,
    streams: Vec<StreamState>,
    generated: u64,
    open_streams: usize,
    stats: Stats,
}

impl<'m> Engine<'m> {
    pub fn new(m: &'m Model) -> Engine<'m> {
        let mut engine = Engine {
            m,
            rng: Pcg64Mcg::seed_from_u64(m.seed),
            now: 0,
            seq: 0,
            heap: BinaryHeap::new(),
            timers: Vec::new(),
            reqs: Vec::new(),
            paths: Vec::new(),
            free: Vec::new(),
            jobs: Vec::new(),
            free_jobs: Vec::new(),
            inflight: 0,
            pods: m
                .pods
                .iter()
                .map(|p| Pod {
                    busy: 0,
                    queue: VecDeque::new(),
                    behaviour: p.behaviour,
                })
                .collect(),
            proxies: vec![None; m.clients as usize * m.clusters.len()],
            streams: m
                .streams
                .iter()
                .map(|s| StreamState {
                    rate: s.rate,
                    epoch: 0,
                    on_time: 0.0,
                    open: true,
                })
                .collect(),
            generated: 0,
            open_streams: m.streams.len(),
            stats: Stats::new(m),
        };
        for (i, change) in m.changes.iter().enumerate() {
            engine.schedule(change.at, Kind::Change { index: i as u32 });
        }
        for stream in 0..m.streams.len() {
            engine.next_arrival(stream as u32);
        }
        engine
    }

    fn schedule(&mut self, at: u64, kind: Kind) {
        self.seq += 1;
        self.heap.push(Reverse(Event {
            at,
            seq: self.seq,
            kind,
        }));
    }

    /// Schedules a timeout `after` nanoseconds from now.
    fn schedule_timeout(&mut self, after: u64, kind: Kind) {
        self.seq += 1;
        let event = Event {
            at: self.now + after,
            seq: self.seq,
            kind,
        };
        match self.timers.iter_mut().find(|(d, _)| *d == after) {
            Some((_, queue)) => queue.push_back(event),
            None => self.timers.push((after, VecDeque::from([event]))),
        }
    }

    /// Whether a timeout event still concerns a live try or request.
    fn live(&self, kind: Kind) -> bool {
        match kind {
            Kind::PerTryTimeout { req, era, attempt } => {
                let r = &self.reqs[req as usize];
                r.era == era && r.attempt == attempt && r.phase == Phase::Active
            }
            Kind::RouteTimeout { req, era } => self.reqs[req as usize].era == era,
            _ => true,
        }
    }

    /// The earliest event: the heap's top or a timer queue's live front.
    fn next_event(&mut self) -> Option<Event> {
        let mut best: Option<(usize, Event)> = None;
        for i in 0..self.timers.len() {
            while let Some(front) = self.timers[i].1.front().copied() {
                if self.live(front.kind) {
                    if best.is_none_or(|(_, b)| front < b) {
                        best = Some((i, front));
                    }
                    break;
                }
                self.timers[i].1.pop_front();
            }
        }
        match (best, self.heap.peek()) {
            (Some((i, timer)), Some(Reverse(top))) if timer < *top => {
                self.timers[i].1.pop_front();
                Some(timer)
            }
            (Some((i, timer)), None) => {
                self.timers[i].1.pop_front();
                Some(timer)
            }
            _ => self.heap.pop().map(|Reverse(e)| e),
        }
    }

    /// Runs to the end; `progress` gets the fraction done now and then.
    pub fn run(mut self, progress: &mut dyn FnMut(f64)) -> SimResult {
        while let Some(event) = self.next_event() {
            self.now = event.at;
            self.stats.event();
            self.dispatch(event.kind);
            if self.open_streams == 0 && self.inflight == 0 {
                break;
            }
            if self.seq.is_multiple_of(PROGRESS_EVERY) {
                progress(self.fraction_done());
            }
        }
        progress(1.0);
        self.count_ejected_until_now();
        self.stats.finish(self.m)
    }

    /// Adds the time of the ejections still in force at the end.
    fn count_ejected_until_now(&mut self) {
        let clusters = self.m.clusters.len();
        for (proxy, pc) in self.proxies.iter().enumerate() {
            let Some(pc) = pc else { continue };
            let hosts = &self.m.clusters[proxy % clusters].hosts;
            for (slot, pod) in pc.hosts.iter().zip(hosts) {
                if slot.health.ejected {
                    self.stats
                        .ejected_for(*pod, slot.health.ejected_at, self.now);
                }
            }
        }
    }

    fn fraction_done(&self) -> f64 {
        match self.m.stop {
            Stop::Duration(d) => self.now as f64 / d.max(1) as f64,
            Stop::Requests(n) => self.generated as f64 / n.max(1) as f64,
        }
        .min(1.0)
    }

    fn dispatch(&mut self, kind: Kind) {
        match kind {
            Kind::Arrival { stream, epoch } => {
                if self.streams[stream as usize].epoch == epoch {
                    self.arrive(stream);
                }
            }
            Kind::Begin { req, era } => {
                if self.reqs[req as usize].era == era {
                    self.begin(req);
                }
            }
            Kind::Retry { req, era } => {
                if self.reqs[req as usize].era == era {
                    self.start_try(req);
                }
            }
            Kind::PodDone {
                pod,
                req,
                era,
                attempt,
                status,
            } => {
                self.server_free(pod);
                self.answer(req, era, attempt, status);
            }
            Kind::JobDone { job, era, status } => self.job_done(job, era, status),
            Kind::PerTryTimeout { req, .. } => {
                if self.live(kind) {
                    self.per_try_timeout(req);
                }
            }
            Kind::RouteTimeout { req, .. } => {
                if self.live(kind) {
                    self.route_timeout(req);
                }
            }
            Kind::OutlierTick { proxy } => self.outlier_tick(proxy),
            Kind::Change { index } => self.apply(index),
        }
    }

    // ----- arrivals -------------------------------------------------------

    fn next_arrival(&mut self, stream: u32) {
        let spec = &self.m.streams[stream as usize];
        let state = &mut self.streams[stream as usize];
        let gap = match spec.arrival {
            Arrival::Constant => 1.0 / state.rate,
            Arrival::Poisson | Arrival::Bursty => {
                let e: f64 = Exp1.sample(&mut self.rng);
                e / state.rate
            }
        };
        let at = if spec.arrival == Arrival::Bursty {
            // Poisson at rate × (on+off)/on during "on" periods only.
            let (on, off) = (spec.burst.0 as f64, spec.burst.1 as f64);
            let state = &mut self.streams[stream as usize];
            state.on_time += gap * NANOS_PER_SECOND * on / (on + off);
            let periods = (state.on_time / on).floor();
            periods * (on + off) + (state.on_time - periods * on)
        } else {
            self.now as f64 + gap * NANOS_PER_SECOND
        };
        let epoch = self.streams[stream as usize].epoch;
        self.schedule(at as u64, Kind::Arrival { stream, epoch });
    }

    fn close(&mut self, stream: u32) {
        let state = &mut self.streams[stream as usize];
        if state.open {
            state.open = false;
            state.epoch += 1;
            self.open_streams -= 1;
        }
    }

    fn arrive(&mut self, stream: u32) {
        let over = match self.m.stop {
            Stop::Duration(d) => self.now >= d,
            Stop::Requests(n) => self.generated >= n,
        };
        if over {
            for s in 0..self.streams.len() {
                if matches!(self.m.stop, Stop::Requests(_)) || s == stream as usize {
                    self.close(s as u32);
                }
            }
            return;
        }
        self.generated += 1;
        self.next_arrival(stream);
        let spec = &self.m.streams[stream as usize];
        let client = spec.first_client + self.rng.random_range(0..spec.clients);
        let total = spec.mix.last().map_or(0.0, |(c, _)| *c);
        let draw = self.rng.random::<f64>() * total;
        let class = spec
            .mix
            .iter()
            .find(|(c, _)| draw < *c)
            .or(spec.mix.last())
            .map_or(0, |(_, class)| *class);
        self.launch(class, client, None);
    }

    /// Sends a request of `class` from `client`'s proxy; `parent` is the
    /// job and call index for a call.
    fn launch(&mut self, class: u32, client: u32, parent: Option<(u32, u16)>) {
        let route = match &self.m.classes[class as usize].outcome {
            ClassOutcome::Local { status, flags } => {
                let hop = Hop {
                    class,
                    pod: NO_POD,
                    status: *status,
                    flags: *flags,
                    latency_ns: 0,
                };
                match parent {
                    None => {
                        if self.stats.traces() {
                            self.stats.offer_slowest(&Path::EMPTY.behind(hop));
                        }
                        self.stats.finished(None, &hop, 0, self.now);
                    }
                    Some((job, call)) => {
                        let era = self.jobs[job as usize].era;
                        self.call_done(job, era, call, NONE, &Path::EMPTY.behind(hop));
                    }
                }
                return;
            }
            ClassOutcome::Route(route) => route,
        };
        let req = self.alloc(class, client);
        if let Some((job, call)) = parent {
            let j = &mut self.jobs[job as usize];
            j.children.push(req);
            let r = &mut self.reqs[req as usize];
            r.parent = job;
            r.parent_era = j.era;
            r.call = call;
        }
        match route.delay {
            Some((delay, fraction)) if self.rng.random::<f64>() < fraction => {
                self.reqs[req as usize].flags = Flags::DI;
                let era = self.reqs[req as usize].era;
                self.schedule(self.now + delay, Kind::Begin { req, era });
            }
            _ => self.begin(req),
        }
    }

    fn alloc(&mut self, class: u32, client: u32) -> u32 {
        self.inflight += 1;
        let fresh = Req {
            era: 0,
            class,
            client,
            cluster: 0,
            proxy: 0,
            hash: HashKey::Random,
            arrived: self.now,
            flags: Flags::NONE,
            attempt: 0,
            phase: Phase::Idle,
            host: 0,
            conn: 0,
            retry_held: false,
            tried: [u32::MAX; TRIED_HOSTS],
            mirror: false,
            parent: NONE,
            parent_era: 0,
            call: 0,
            job: NONE,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                let era = self.reqs[slot as usize].era;
                self.reqs[slot as usize] = Req { era, ..fresh };
                slot
            }
            None => {
                self.reqs.push(fresh);
                (self.reqs.len() - 1) as u32
            }
        };
        if self.stats.traces() {
            self.paths.resize(self.reqs.len(), Path::EMPTY);
            self.paths[slot as usize].clear();
        }
        slot
    }

    /// `hop` followed by the call chain behind `req`'s answer.
    fn path_behind(&self, req: u32, hop: Hop) -> Path {
        self.paths
            .get(req as usize)
            .unwrap_or(&Path::EMPTY)
            .behind(hop)
    }

    fn route(&self, req: u32) -> &'m RouteSpec {
        match &self.m.classes[self.reqs[req as usize].class as usize].outcome {
            ClassOutcome::Route(route) => route,
            ClassOutcome::Local { .. } => unreachable!("only routed classes get a request slot"),
        }
    }

    /// The router: fault abort, the weighted cluster (once per request), the
    /// route timeout, mirrors, the first try.
    fn begin(&mut self, req: u32) {
        let route = self.route(req);
        if let Some((status, fraction)) = route.abort
            && self.rng.random::<f64>() < fraction
        {
            let flags = self.reqs[req as usize].flags.with(Flags::FI);
            self.finish(req, None, status, flags);
            return;
        }
        let pick = split::pick(&route.weights, self.rng.random::<f64>()).unwrap_or(0);
        let dest = &route.destinations[pick];
        let entry = self.reqs[req as usize].parent == NONE;
        let Some(cluster) = dest.cluster else {
            if entry {
                self.stats.routed_nowhere(&dest.label, dest.missing_status);
            }
            let flags = self.reqs[req as usize].flags.with(Flags::NC);
            self.finish(req, None, dest.missing_status, flags);
            return;
        };
        if entry {
            self.stats.routed(cluster, self.now);
        }
        self.bind(req, cluster, dest.hash);
        if route.timeout > 0 {
            let era = self.reqs[req as usize].era;
            self.schedule_timeout(route.timeout, Kind::RouteTimeout { req, era });
        }
        for &(mirror, fraction) in &route.mirrors {
            if self.rng.random::<f64>() < fraction {
                let (class, client) = {
                    let r = &self.reqs[req as usize];
                    (r.class, r.client)
                };
                let copy = self.alloc(class, client);
                self.reqs[copy as usize].mirror = true;
                self.bind(copy, mirror, HashKey::Random);
                // Envoy's shadow request carries the route timeout.
                if route.timeout > 0 {
                    let era = self.reqs[copy as usize].era;
                    self.schedule_timeout(route.timeout, Kind::RouteTimeout { req: copy, era });
                }
                self.start_try(copy);
            }
        }
        self.start_try(req);
    }

    /// Attaches a request to its cluster on its client's proxy.
    fn bind(&mut self, req: u32, cluster: u32, hash: HashKey) {
        let client = self.reqs[req as usize].client;
        let proxy = client * self.m.clusters.len() as u32 + cluster;
        if self.proxies[proxy as usize].is_none() {
            let spec = &self.m.clusters[cluster as usize];
            let start = self.rng.random_range(0..spec.hosts.len().max(1) as u32);
            self.proxies[proxy as usize] = Some(ProxyCluster::new(spec, start));
            if let Some(od) = &spec.outlier {
                let next = (self.now / od.interval + 1) * od.interval;
                self.schedule(next, Kind::OutlierTick { proxy });
            }
        }
        let r = &mut self.reqs[req as usize];
        r.cluster = cluster;
        r.proxy = proxy;
        r.hash = hash;
    }

    fn proxy(&mut self, proxy: u32) -> &mut ProxyCluster {
        self.proxies[proxy as usize]
            .as_mut()
            .expect("bound before use")
    }

    // ----- tries ----------------------------------------------------------

    fn start_try(&mut self, req: u32) {
        let (cluster, proxy, hash, client, mirror, entry) = {
            if let Some(path) = self.paths.get_mut(req as usize) {
                path.clear();
            }
            let r = &self.reqs[req as usize];
            (
                r.cluster,
                r.proxy,
                r.hash,
                r.client,
                r.mirror,
                r.parent == NONE,
            )
        };
        let spec = &self.m.clusters[cluster as usize];
        let route = self.route(req);
        // Istio installs the previous-hosts predicate except under
        // consistent hashing, where a re-pick lands on the same host (§4.1).
        let hashed = matches!(spec.lb, Lb::RingHash(_));
        let avoid = route.retry.previous_hosts && !hashed && !mirror;
        let tried = self.reqs[req as usize].tried;
        let attempt = self.reqs[req as usize].attempt as usize;
        let tried = if avoid {
            &tried[..attempt.min(TRIED_HOSTS)]
        } else {
            &tried[..0]
        };
        let pc = self.proxies[proxy as usize].as_mut().expect("bound");
        let Some(host) = pc.pick(spec, hash, client, tried, &mut self.rng) else {
            self.refuse(req, Flags::UH);
            return;
        };
        let r = &mut self.reqs[req as usize];
        if (r.attempt as usize) < TRIED_HOSTS {
            r.tried[r.attempt as usize] = host;
        }
        r.attempt = r.attempt.saturating_add(1);
        r.host = host;
        let attempt = r.attempt;
        let era = r.era;
        let pod = spec.hosts[host as usize];
        if !mirror {
            self.stats.tried(cluster, pod, entry);
        }
        if self.pods[pod as usize].behaviour.down {
            // Connection refused: Envoy's connect failure (UF).
            self.observe(req, Observation::ConnectFailure);
            self.after_try(req, TryResult::ConnectFailure);
            return;
        }
        let limits = spec.limits;
        let pc = self.proxy(proxy);
        if pc.hosts[host as usize]
            .pool
            .can_start(spec.pool, pc.connections, limits.max_connections)
        {
            self.attach(req);
        } else if pc.pending >= limits.max_pending {
            self.overflow(req, Overflow::Pending);
        } else {
            pc.pending += 1;
            pc.hosts[host as usize]
                .pending
                .push_back((req, era, attempt));
            self.reqs[req as usize].phase = Phase::Pending;
        }
    }

    /// Circuit-breaker overflow: 503 UO, never retried (§4.3, §6.6).
    fn overflow(&mut self, req: u32, cause: Overflow) {
        let r = &self.reqs[req as usize];
        if !r.mirror {
            self.stats.overflowed(r.cluster, cause, r.parent == NONE);
        }
        self.refuse(req, Flags::UO);
    }

    /// The proxy answers 503 with `flag` without an upstream try; a
    /// mirrored copy just fails.
    fn refuse(&mut self, req: u32, flag: Flags) {
        let r = &self.reqs[req as usize];
        let (cluster, flags) = (r.cluster, r.flags.with(flag));
        if r.mirror {
            self.stats.mirrored(cluster, false);
            self.free(req);
        } else {
            self.finish(req, Some(cluster), 503, flags);
        }
    }

    /// The request can have a connection to its host: the max_requests
    /// breaker, then the connection, the per-try timeout (which Envoy starts
    /// when the pool is ready, §4.2), and the endpoint.
    fn attach(&mut self, req: u32) {
        let (cluster, proxy, host, era, attempt, mirror) = {
            let r = &self.reqs[req as usize];
            (r.cluster, r.proxy, r.host, r.era, r.attempt, r.mirror)
        };
        let spec = &self.m.clusters[cluster as usize];
        let max_requests = spec.limits.max_requests;
        let kind = spec.pool;
        let pc = self.proxy(proxy);
        if pc.active >= max_requests {
            self.reqs[req as usize].phase = Phase::Idle;
            self.overflow(req, Overflow::MaxRequests);
            return;
        }
        pc.active += 1;
        let slot = &mut pc.hosts[host as usize];
        slot.active += 1;
        let (conn, opened) = slot.pool.start(kind);
        pc.connections += u32::from(opened);
        let r = &mut self.reqs[req as usize];
        r.phase = Phase::Active;
        r.conn = conn;
        let per_try = self.route(req).per_try_timeout;
        if per_try > 0 && !mirror {
            self.schedule_timeout(per_try, Kind::PerTryTimeout { req, era, attempt });
        }
        let pod = spec.hosts[host as usize];
        let p = &mut self.pods[pod as usize];
        if p.busy < self.m.pods[pod as usize].concurrency {
            self.serve(pod, req, era, attempt);
        } else {
            p.queue.push_back((req, era, attempt));
        }
    }

    /// An endpoint server starts on a request: service time and answer.
    fn serve(&mut self, pod: u32, req: u32, era: u32, attempt: u16) {
        let p = &mut self.pods[pod as usize];
        p.busy += 1;
        let spec = &self.m.pods[pod as usize];
        if spec.calls.is_some() || spec.cancellable {
            self.start_job(pod, req, era, attempt);
            return;
        }
        let (service, status) = self.service_time(pod);
        self.schedule(
            self.now + service,
            Kind::PodDone {
                pod,
                req,
                era,
                attempt,
                status,
            },
        );
    }

    /// A server of `pod` is free: it takes the next queued try. Work whose
    /// client gave up is still done (the endpoint cannot know), unless the
    /// endpoint honours cancellation.
    fn server_free(&mut self, pod: u32) {
        self.pods[pod as usize].busy -= 1;
        let cancellable = self.m.pods[pod as usize].cancellable;
        while let Some((next, era, attempt)) = self.pods[pod as usize].queue.pop_front() {
            if cancellable && !self.try_live(next, era, attempt) {
                continue;
            }
            self.serve(pod, next, era, attempt);
            return;
        }
    }

    /// Whether try `attempt` of `req` (of era `era`) is still at its endpoint.
    fn try_live(&self, req: u32, era: u32, attempt: u16) -> bool {
        let r = &self.reqs[req as usize];
        r.era == era && r.attempt == attempt && r.phase == Phase::Active
    }

    /// An endpoint answers a try with `status`.
    fn answer(&mut self, req: u32, era: u32, attempt: u16, status: u16) {
        if !self.try_live(req, era, attempt) {
            return;
        }
        self.release(req, false);
        self.observe(req, Observation::Status(status));
        self.after_try(req, TryResult::Response(status));
    }

    // ----- calls ----------------------------------------------------------

    /// An endpoint starts serving a try as a job: its calls, then its work.
    fn start_job(&mut self, pod: u32, req: u32, era: u32, attempt: u16) {
        let fresh = Job {
            era: 0,
            pod,
            req,
            req_era: era,
            attempt,
            step: 0,
            outstanding: 0,
            failed: 0,
            children: Vec::new(),
            slowest: Path::EMPTY,
        };
        let job = match self.free_jobs.pop() {
            Some(slot) => {
                let j = &mut self.jobs[slot as usize];
                let children = std::mem::take(&mut j.children);
                *j = Job {
                    era: j.era,
                    children,
                    ..fresh
                };
                slot
            }
            None => {
                self.jobs.push(fresh);
                (self.jobs.len() - 1) as u32
            }
        };
        if self.try_live(req, era, attempt) {
            self.reqs[req as usize].job = job;
        }
        self.next_step(job);
    }

    /// Starts the job's next step of calls that its draws select, or its
    /// own work when no step is left or a call failed.
    fn next_step(&mut self, job: u32) {
        let j = &self.jobs[job as usize];
        let Some((plan, client)) = self.m.pods[j.pod as usize].calls else {
            self.work(job);
            return;
        };
        let steps = &self.m.plans[plan as usize].steps;
        let mut step = j.step as usize;
        if j.failed != 0 {
            step = steps.len();
        }
        while let Some(calls) = steps.get(step) {
            step += 1;
            self.jobs[job as usize].step = step as u16;
            let mut drawn: u64 = 0;
            for (i, call) in calls.iter().enumerate() {
                if call.probability >= 1.0 || self.rng.random::<f64>() < call.probability {
                    drawn |= 1 << i;
                }
            }
            if drawn == 0 {
                continue;
            }
            // Reserve every call first: one answered at once must not end
            // the step while the others are being sent.
            self.jobs[job as usize].outstanding = drawn.count_ones() as u16;
            let era = self.jobs[job as usize].era;
            for (i, call) in calls.iter().enumerate() {
                if drawn & (1 << i) != 0 && self.jobs[job as usize].era == era {
                    self.launch(call.class, client, Some((job, i as u16)));
                }
            }
            return;
        }
        self.work(job);
    }

    /// A call of `job` (of era `era`) got its answer: `path` starts with
    /// the call's own hop.
    fn call_done(&mut self, job: u32, era: u32, call: u16, req: u32, path: &Path) {
        let j = &mut self.jobs[job as usize];
        if j.era != era {
            return;
        }
        if let Some(i) = j.children.iter().position(|c| *c == req) {
            j.children.swap_remove(i);
        }
        j.outstanding -= 1;
        let (plan, _) = self.m.pods[j.pod as usize].calls.expect("a job with calls");
        let spec = &self.m.plans[plan as usize].steps[j.step as usize - 1][call as usize];
        let status = path.hops()[0].status;
        if !is_success(status) && !spec.optional && j.failed == 0 {
            j.failed = spec.failure_status;
        }
        if path.outranks(&j.slowest) {
            j.slowest = *path;
        }
        if j.outstanding == 0 {
            self.next_step(job);
        }
    }

    /// The job's own service time, then its answer.
    fn work(&mut self, job: u32) {
        let j = &self.jobs[job as usize];
        let (era, failed) = (j.era, j.failed);
        let (service, own) = self.service_time(j.pod);
        let status = if failed != 0 { failed } else { own };
        self.schedule(self.now + service, Kind::JobDone { job, era, status });
    }

    /// An endpoint's service time for one request and its own answer.
    fn service_time(&mut self, pod: u32) -> (u64, u16) {
        let b = self.pods[pod as usize].behaviour;
        let service = self.m.latencies[b.latency as usize].sample(&mut self.rng);
        let status = if b.error_rate > 0.0 && self.rng.random::<f64>() < b.error_rate {
            b.error_status
        } else {
            200
        };
        (service, status)
    }

    fn job_done(&mut self, job: u32, era: u32, status: u16) {
        let j = &self.jobs[job as usize];
        if j.era != era {
            return;
        }
        let (pod, req, req_era, attempt) = (j.pod, j.req, j.req_era, j.attempt);
        if self.try_live(req, req_era, attempt)
            && let Some(path) = self.paths.get_mut(req as usize)
        {
            // The call chain behind the answer goes with it.
            *path = j.slowest;
        }
        self.free_job(job);
        self.server_free(pod);
        self.answer(req, req_era, attempt, status);
    }

    fn free_job(&mut self, job: u32) {
        let j = &mut self.jobs[job as usize];
        j.era = j.era.wrapping_add(1);
        j.children.clear();
        self.free_jobs.push(job);
    }

    /// The caller reset the stream of a try that a cancellable endpoint
    /// serves: the work stops and its calls are reset in turn.
    fn cancel_job(&mut self, job: u32) {
        let j = &mut self.jobs[job as usize];
        let pod = j.pod;
        let children = std::mem::take(&mut j.children);
        self.free_job(job);
        for child in children {
            self.abandon(child);
        }
        self.server_free(pod);
    }

    /// Drops a call whose caller stopped: its stream is reset, nobody
    /// waits for its answer.
    fn abandon(&mut self, req: u32) {
        let r = &mut self.reqs[req as usize];
        if std::mem::replace(&mut r.retry_held, false) {
            let proxy = r.proxy;
            self.proxy(proxy).retries -= 1;
        }
        self.release(req, true);
        self.free(req);
    }

    /// Ends the current try's hold on the pool; `reset` is a stream reset.
    /// Room freed on the host's connections serves its pending requests.
    fn release(&mut self, req: u32, reset: bool) {
        let (proxy, host, phase, cluster, conn, job) = {
            let r = &mut self.reqs[req as usize];
            let phase = r.phase;
            r.phase = Phase::Idle;
            let job = std::mem::replace(&mut r.job, NONE);
            (r.proxy, r.host, phase, r.cluster, r.conn, job)
        };
        if reset && job != NONE && self.m.pods[self.jobs[job as usize].pod as usize].cancellable {
            self.cancel_job(job);
        }
        let spec = &self.m.clusters[cluster as usize];
        let (kind, max_connections) = (spec.pool, spec.limits.max_connections);
        let pc = self.proxy(proxy);
        match phase {
            Phase::Idle => return,
            Phase::Pending => {
                pc.pending -= 1;
                return;
            }
            Phase::Active => {
                pc.active -= 1;
                let slot = &mut pc.hosts[host as usize];
                slot.active -= 1;
                if slot.pool.end(kind, conn, reset) {
                    pc.connections -= 1;
                }
            }
        }
        loop {
            let pc = self.proxy(proxy);
            let connections = pc.connections;
            let slot = &mut pc.hosts[host as usize];
            if !slot.pool.can_start(kind, connections, max_connections) {
                return;
            }
            let Some((next, era, attempt)) = slot.pending.pop_front() else {
                return;
            };
            let r = &self.reqs[next as usize];
            if r.era != era || r.attempt != attempt || r.phase != Phase::Pending {
                continue;
            }
            self.proxy(proxy).pending -= 1;
            self.attach(next);
        }
    }

    /// The per-try timeout of an active try: the stream is reset (§4.2).
    fn per_try_timeout(&mut self, req: u32) {
        self.release(req, true);
        self.observe(req, Observation::Timeout);
        self.after_try(req, TryResult::PerTryTimeout);
    }

    /// The route timeout: 504 UT at once, never retried (§4.2); a mirrored
    /// copy just ends.
    fn route_timeout(&mut self, req: u32) {
        let active = self.reqs[req as usize].phase == Phase::Active;
        self.release(req, true);
        if active {
            self.observe(req, Observation::Timeout);
        }
        let r = &self.reqs[req as usize];
        if r.mirror {
            self.after_try(req, TryResult::PerTryTimeout);
            return;
        }
        let (cluster, flags) = (r.cluster, r.flags.with(Flags::UT));
        self.finish(req, Some(cluster), 504, flags);
    }

    /// Counts a try's result for its endpoint and feeds outlier detection.
    fn observe(&mut self, req: u32, observation: Observation) {
        let (cluster, proxy, host, client, mirror) = {
            let r = &self.reqs[req as usize];
            (r.cluster, r.proxy, r.host, r.client, r.mirror)
        };
        let spec = &self.m.clusters[cluster as usize];
        let pod = spec.hosts[host as usize];
        let failed = match observation {
            Observation::Status(status) => !is_success(status),
            Observation::ConnectFailure | Observation::Timeout => true,
        };
        if failed && !mirror {
            self.stats.pod_failed(pod);
        }
        let Some(od) = &spec.outlier else {
            return;
        };
        let cap = self.m.ejection_cap;
        let now = self.now;
        let pc = self.proxies[proxy as usize].as_mut().expect("bound");
        if outlier::observe(od, cap, pc, host, observation, now) {
            self.stats.ejected(
                pod,
                || Ejection {
                    at_s: now as f64 / NANOS_PER_SECOND,
                    client,
                    cluster: spec.label(),
                    endpoint: self.m.pods[pod as usize].name.clone(),
                },
                now,
            );
        }
    }

    fn outlier_tick(&mut self, proxy: u32) {
        if self.open_streams == 0 && self.inflight == 0 {
            return;
        }
        let cluster = proxy as usize % self.m.clusters.len();
        let Some(od) = &self.m.clusters[cluster].outlier else {
            return;
        };
        let now = self.now;
        let pc = self.proxies[proxy as usize].as_mut().expect("bound");
        let hosts = &self.m.clusters[cluster].hosts;
        let stats = &mut self.stats;
        outlier::tick(od, pc, now, &mut |host, since| {
            stats.ejected_for(hosts[host as usize], since, now);
        });
        self.schedule(now + od.interval, Kind::OutlierTick { proxy });
    }

    /// Envoy's retry decision after a failed or finished try (§4.1).
    fn after_try(&mut self, req: u32, result: TryResult) {
        let (cluster, proxy, mirror, attempt, flags, held) = {
            let r = &mut self.reqs[req as usize];
            let held = std::mem::replace(&mut r.retry_held, false);
            (r.cluster, r.proxy, r.mirror, r.attempt, r.flags, held)
        };
        if held {
            self.proxy(proxy).retries -= 1;
        }
        let (status, flag) = match result {
            TryResult::Response(s) => (s, Flags::NONE),
            TryResult::ConnectFailure => (503, Flags::UF),
            TryResult::PerTryTimeout => (504, Flags::UT),
        };
        if mirror {
            self.stats.mirrored(
                cluster,
                matches!(result, TryResult::Response(s) if is_success(s)),
            );
            self.free(req);
            return;
        }
        let route = self.route(req);
        let flags = flags.with(flag);
        // `attempts: 0` leaves the route without a retry policy (Istio drops
        // it), so nothing is retried and no URX is set.
        if route.retry.attempts == 0 || !route.retry.retries(result) {
            self.finish(req, Some(cluster), status, flags);
            return;
        }
        let retries_done = u32::from(attempt) - 1;
        if retries_done >= route.retry.attempts {
            self.finish(req, Some(cluster), status, flags.with(Flags::URX));
            return;
        }
        let max_retries = self.m.clusters[cluster as usize].limits.max_retries;
        let pc = self.proxy(proxy);
        if pc.retries >= max_retries {
            let entry = self.reqs[req as usize].parent == NONE;
            self.stats.overflowed(cluster, Overflow::MaxRetries, entry);
            self.finish(req, Some(cluster), status, flags.with(Flags::UO));
            return;
        }
        pc.retries += 1;
        let r = &mut self.reqs[req as usize];
        r.retry_held = true;
        // A later try's answer replaces this one; only the fault delay stays.
        r.flags = Flags(flags.0 & Flags::DI.0);
        let era = r.era;
        let wait = route.retry.backoff(retries_done + 1, &mut self.rng);
        self.schedule(self.now + wait, Kind::Retry { req, era });
    }

    fn finish(&mut self, req: u32, cluster: Option<u32>, status: u16, flags: Flags) {
        let r = &mut self.reqs[req as usize];
        if std::mem::replace(&mut r.retry_held, false) {
            let proxy = r.proxy;
            self.proxy(proxy).retries -= 1;
        }
        let r = &self.reqs[req as usize];
        let tries = u32::from(r.attempt);
        let pod = match cluster {
            Some(c) if tries > 0 => self.m.clusters[c as usize].hosts[r.host as usize],
            _ => NO_POD,
        };
        let hop = Hop {
            class: r.class,
            pod,
            status,
            flags,
            latency_ns: self.now - r.arrived,
        };
        let (parent, parent_era, call) = (r.parent, r.parent_era, r.call);
        if parent != NONE {
            let path = self.path_behind(req, hop);
            self.free(req);
            if let Some(c) = cluster {
                self.stats.called(c, &hop, tries);
            }
            self.call_done(parent, parent_era, call, req, &path);
            return;
        }
        // Entry paths are built only when the run keeps the slowest.
        if self.stats.traces() {
            let path = self.path_behind(req, hop);
            self.stats.offer_slowest(&path);
        }
        self.free(req);
        self.stats.finished(cluster, &hop, tries, self.now);
    }

    fn free(&mut self, req: u32) {
        let r = &mut self.reqs[req as usize];
        r.era = r.era.wrapping_add(1);
        r.phase = Phase::Idle;
        self.free.push(req);
        self.inflight -= 1;
    }

    // ----- scenario events ------------------------------------------------

    fn apply(&mut self, index: u32) {
        match &self.m.changes[index as usize].change {
            Change::Pods {
                pods,
                latency,
                errors,
                down,
            } => {
                for pod in pods {
                    let b = &mut self.pods[*pod as usize].behaviour;
                    if let Some(l) = latency {
                        b.latency = *l;
                    }
                    if let Some((rate, status)) = errors {
                        b.error_rate = *rate;
                        b.error_status = *status;
                    }
                    if let Some(d) = down {
                        b.down = *d;
                    }
                }
            }
            Change::Rate { stream, rate } => {
                let state = &mut self.streams[*stream as usize];
                if state.open {
                    state.rate = *rate;
                    state.epoch += 1;
                    self.next_arrival(*stream);
                }
            }
        }
    }
}
