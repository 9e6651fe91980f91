"""A dataset whose samples are drawn under the seeds their batch carries."""
from typing import Any, List, Sequence, Union

from mmengine.registry import DATASETS
from torch.utils.data import Dataset

from .seeds import seed_everything


@DATASETS.register_module()
class SeededSamples(Dataset):
    """``dataset``, with each sample of a seeded batch drawn under its seed.

    torch's dataloader fetches a batch through the dataset's
    ``__getitems__`` where it has one, in the worker that loads it. Here
    that seeds Python's, numpy's and torch's generators with the sample's
    seed (from :class:`~mmca.datasets.ResumableBatchSampler`) before the
    sample's pipeline runs, so its random transforms depend on the sample's
    place in training alone, not on which worker loaded it or what that
    worker loaded before.

    Everything else (``metainfo``, ``get_data_info``, ``pipeline``, ...) is
    read from the wrapped dataset.

    Args:
        dataset (dict or Dataset): The dataset, or its config.
    """

    def __init__(self, dataset: Union[dict, Dataset]) -> None:
        self.dataset = (DATASETS.build(dataset)
                        if isinstance(dataset, dict) else dataset)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[index]

    def __getitems__(self, indices: Sequence[int]) -> List[Any]:
        seeds = getattr(indices, 'seeds', None)
        if seeds is None:
            return [self.dataset[index] for index in indices]
        samples = []
        for index, seed in zip(indices, seeds):
            seed_everything(seed, accelerators=False)
            samples.append(self.dataset[index])
        return samples

    def __getattr__(self, name: str) -> Any:
        if name == 'dataset':   # not yet set (while unpickling)
            raise AttributeError(name)
        return getattr(self.dataset, name)
