use embedder_minilm::MiniLmEmbedder;
use ports::embedder::{Embedder, cosine_similarity};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let dir = std::path::PathBuf::from(std::env::var_os("ANALYST_MINILM_DIR").unwrap());
    let t = Instant::now();
    let e = MiniLmEmbedder::load(&dir).unwrap();
    println!("load {:?}", t.elapsed());
    let pairs = [
        ("how many restaurants are there", "count the restaurants"),
        ("How many restaurants are there?", "Count the restaurants."),
        ("how many restaurants are there", "number of restaurants"),
        (
            "how many restaurants are there",
            "how many customers are there",
        ),
        ("total sales by month", "monthly sales totals"),
        (
            "how many restaurants are there",
            "what is the average salary of professors",
        ),
    ];
    for (a, b) in pairs {
        let va = e.embed(a).await.unwrap();
        let vb = e.embed(b).await.unwrap();
        println!("{:.4}  {a:?} vs {b:?}", cosine_similarity(&va, &vb));
    }
    let hw = e.embed("hello world").await.unwrap();
    println!("hello world {:?}", &hw[..8]);
    let n = 20;
    let t = Instant::now();
    for _ in 0..n {
        e.embed("how many restaurants are there in each city")
            .await
            .unwrap();
    }
    println!("short: {:?} per embedding", t.elapsed() / n);
    let long =
        "the quarterly revenue of every region broken down by product line and sales channel "
            .repeat(20);
    let t = Instant::now();
    for _ in 0..5 {
        e.embed(&long).await.unwrap();
    }
    println!("256 pieces: {:?} per embedding", t.elapsed() / 5);
}
