//! Union-find over the graph's nodes with path halving and union by size;
//! each root also knows its component's smallest key and smallest
//! identified key, from which the canonical customer key follows.

#[derive(Debug, Clone, Default)]
pub(crate) struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Per root: the smallest identity key in the component (`None` for a
    /// component of trait nodes only).
    min_key: Vec<Option<u64>>,
    /// Per root: the smallest key among the identified identities.
    min_identified_key: Vec<Option<u64>>,
    /// Per node: whether a replayed record marked it identified.
    identified: Vec<bool>,
}

impl UnionFind {
    /// Forgets every union and mark: one singleton per node.
    pub(crate) fn reset(&mut self, node_keys: &[Option<u64>]) {
        let n_nodes = node_keys.len();
        self.parent.clear();
        self.parent
            .extend((0..n_nodes).map(|node| u32::try_from(node).expect("fewer than 2^32 nodes")));
        self.size.clear();
        self.size.resize(n_nodes, 1);
        self.min_key.clear();
        self.min_key.extend_from_slice(node_keys);
        self.min_identified_key.clear();
        self.min_identified_key.resize(n_nodes, None);
        self.identified.clear();
        self.identified.resize(n_nodes, false);
    }

    /// Makes one node a singleton again (for replaying its region).
    pub(crate) fn reset_node(&mut self, node: u32, key: Option<u64>) {
        let index = node as usize;
        self.parent[index] = node;
        self.size[index] = 1;
        self.min_key[index] = key;
        self.min_identified_key[index] = None;
        self.identified[index] = false;
    }

    /// Points one node straight at its root.
    pub(crate) fn compress(&mut self, node: u32) {
        let root = self.find_const(node);
        self.parent[node as usize] = root;
    }

    /// Adds a singleton node.
    pub(crate) fn push(&mut self, key: Option<u64>) {
        let node = u32::try_from(self.parent.len()).expect("fewer than 2^32 nodes");
        self.parent.push(node);
        self.size.push(1);
        self.min_key.push(key);
        self.min_identified_key.push(None);
        self.identified.push(false);
    }

    pub(crate) fn find(&mut self, mut node: u32) -> u32 {
        while self.parent[node as usize] != node {
            let grandparent = self.parent[self.parent[node as usize] as usize];
            self.parent[node as usize] = grandparent;
            node = grandparent;
        }
        node
    }

    /// `find` without compressing: for queries through `&self`. Union by
    /// size bounds the depth by log2 of the node count, and `compress_all`
    /// after a replay makes it one step for almost every node.
    pub(crate) fn find_const(&self, mut node: u32) -> u32 {
        while self.parent[node as usize] != node {
            node = self.parent[node as usize];
        }
        node
    }

    /// Points every node straight at its root.
    pub(crate) fn compress_all(&mut self) {
        for node in 0..self.parent.len() {
            let root = self.find_const(node as u32);
            self.parent[node] = root;
        }
    }

    /// Joins two components given by their roots; returns the new root.
    pub(crate) fn union_roots(&mut self, a: u32, b: u32) -> u32 {
        debug_assert!(self.parent[a as usize] == a && self.parent[b as usize] == b);
        let (big, small) = if self.size[a as usize] >= self.size[b as usize] {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        self.min_key[big as usize] =
            min_option(self.min_key[big as usize], self.min_key[small as usize]);
        self.min_identified_key[big as usize] = min_option(
            self.min_identified_key[big as usize],
            self.min_identified_key[small as usize],
        );
        big
    }

    /// Marks an identity node identified; `false` if it already was.
    pub(crate) fn mark_identified(&mut self, node: u32, key: u64) -> bool {
        if self.identified[node as usize] {
            return false;
        }
        self.identified[node as usize] = true;
        let root = self.find(node) as usize;
        self.min_identified_key[root] = min_option(self.min_identified_key[root], Some(key));
        true
    }

    pub(crate) fn is_node_identified(&self, node: u32) -> bool {
        self.identified[node as usize]
    }

    pub(crate) fn is_root_identified(&self, root: u32) -> bool {
        self.min_identified_key[root as usize].is_some()
    }

    /// The canonical customer key of a component: its smallest identified
    /// key, else its smallest key; `None` for trait nodes alone.
    pub(crate) fn canonical_of_root(&self, root: u32) -> Option<u64> {
        self.min_identified_key[root as usize].or(self.min_key[root as usize])
    }
}

fn min_option(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}
