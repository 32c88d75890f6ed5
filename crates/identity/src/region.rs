//! Regions: the components of *all* links, joined or not. No decision of
//! the replay crosses a region's border (a link lies inside one region), so
//! a late record or a split replays only its own region — usually a handful
//! of records — instead of the whole log. Regions only grow; each keeps
//! its nodes and records as linked lists, so joining two is O(1).

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub(crate) struct Regions {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Per root: first and last node of the region's node list.
    node_head: Vec<u32>,
    node_tail: Vec<u32>,
    /// Per node: the next node of its region.
    node_next: Vec<u32>,
    /// Per root: first and last record of the region's record list.
    record_head: Vec<u32>,
    record_tail: Vec<u32>,
    /// Per record: the next record of its region.
    record_next: Vec<u32>,
    /// Per root: the region's record that comes last in replay order.
    last: Vec<u32>,
}

impl Regions {
    pub(crate) fn push_node(&mut self) {
        let node = u32::try_from(self.parent.len()).expect("fewer than 2^32 nodes");
        self.parent.push(node);
        self.size.push(1);
        self.node_head.push(node);
        self.node_tail.push(node);
        self.node_next.push(NONE);
        self.record_head.push(NONE);
        self.record_tail.push(NONE);
        self.last.push(NONE);
    }

    /// Makes room for one more record, in no region yet.
    pub(crate) fn push_record(&mut self) {
        self.record_next.push(NONE);
    }

    pub(crate) fn find(&mut self, mut node: u32) -> u32 {
        while self.parent[node as usize] != node {
            let grandparent = self.parent[self.parent[node as usize] as usize];
            self.parent[node as usize] = grandparent;
            node = grandparent;
        }
        node
    }

    /// Joins the regions of two nodes; `later` picks the one of two records
    /// that comes later in replay order. Returns the root.
    pub(crate) fn union(&mut self, a: u32, b: u32, later: impl Fn(u32, u32) -> u32) -> u32 {
        let (root_a, root_b) = (self.find(a), self.find(b));
        if root_a == root_b {
            return root_a;
        }
        let (big, small) = if self.size[root_a as usize] >= self.size[root_b as usize] {
            (root_a as usize, root_b as usize)
        } else {
            (root_b as usize, root_a as usize)
        };
        self.parent[small] = big as u32;
        self.size[big] += self.size[small];
        self.node_next[self.node_tail[big] as usize] = self.node_head[small];
        self.node_tail[big] = self.node_tail[small];
        if self.record_head[small] != NONE {
            if self.record_head[big] == NONE {
                self.record_head[big] = self.record_head[small];
            } else {
                self.record_next[self.record_tail[big] as usize] = self.record_head[small];
            }
            self.record_tail[big] = self.record_tail[small];
        }
        self.last[big] = match (self.last[big], self.last[small]) {
            (NONE, other) | (other, NONE) => other,
            (x, y) => later(x, y),
        };
        big as u32
    }

    /// Adds a record to the region with this root.
    pub(crate) fn add_record(&mut self, root: u32, record: u32) {
        let root = root as usize;
        if self.record_head[root] == NONE {
            self.record_head[root] = record;
        } else {
            self.record_next[self.record_tail[root] as usize] = record;
        }
        self.record_tail[root] = record;
    }

    pub(crate) fn last(&self, root: u32) -> Option<u32> {
        let last = self.last[root as usize];
        (last != NONE).then_some(last)
    }

    pub(crate) fn set_last(&mut self, root: u32, record: u32) {
        self.last[root as usize] = record;
    }

    pub(crate) fn nodes(&self, root: u32) -> Vec<u32> {
        let mut nodes = Vec::with_capacity(self.size[root as usize] as usize);
        let mut node = self.node_head[root as usize];
        while node != NONE {
            nodes.push(node);
            node = self.node_next[node as usize];
        }
        nodes
    }

    pub(crate) fn records(&self, root: u32) -> Vec<u32> {
        let mut records = Vec::new();
        let mut record = self.record_head[root as usize];
        while record != NONE {
            records.push(record);
            record = self.record_next[record as usize];
        }
        records
    }
}
